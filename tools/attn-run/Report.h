//===- Report.h - Results of attn-run as CSV or JSON -----------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_REPORT_H
#define ATTN_TOOLS_ATTNRUN_REPORT_H

#include "runtime/Status.h"

#include <string>
#include <vector>

namespace attn::run {

/// One result: named fields in a fixed order. Numbers are written bare in
/// JSON, text quoted.
class Record {
public:
  void add(const std::string &key, const std::string &text);
  void add(const std::string &key, double number);
  void add(const std::string &key, int64_t number);

  struct Field {
    std::string key;
    std::string value;
    bool isText;
  };
  const std::vector<Field> &fields() const { return fields_; }

private:
  std::vector<Field> fields_;
};

/// Writes `records` to `path` as CSV (header from the first record's keys).
rt::Status writeCsv(const std::string &path,
                    const std::vector<Record> &records);
/// Writes `records` to `path` as a JSON array of objects.
rt::Status writeJson(const std::string &path,
                     const std::vector<Record> &records);

/// `value` printed with `digits` significant digits in %g style.
std::string formatNumber(double value, int digits = 4);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_REPORT_H
