//===- Report.cpp - Results of attn-run as CSV or JSON --------------------===//

#include "tools/attn-run/Report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace attn;
using namespace attn::run;

std::string attn::run::formatNumber(double value, int digits) {
  if (std::isnan(value))
    return "nan";
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

void Record::add(const std::string &key, const std::string &text) {
  fields_.push_back({key, text, true});
}

void Record::add(const std::string &key, double number) {
  // JSON has no NaN or infinity; write those as text.
  fields_.push_back({key, formatNumber(number, 6), !std::isfinite(number)});
}

void Record::add(const std::string &key, int64_t number) {
  fields_.push_back({key, std::to_string(number), false});
}

static std::string csvField(const std::string &value) {
  if (value.find_first_of(",\"\n") == std::string::npos)
    return value;
  std::string quoted = "\"";
  for (char c : value)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

static std::string jsonString(const std::string &value) {
  std::string quoted = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += char(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      quoted += escaped;
    } else {
      quoted += char(c);
    }
  }
  return quoted + "\"";
}

static rt::Status writeText(const std::string &path, const std::string &text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file)
    file << text;
  if (file)
    file.close();
  if (!file)
    return rt::Status::error(rt::StatusCode::IoError,
                             "cannot write '" + path +
                                 "': " + std::strerror(errno));
  return rt::Status::success();
}

rt::Status attn::run::writeCsv(const std::string &path,
                               const std::vector<Record> &records) {
  // Columns: every key of every record, in the order they first appear.
  std::vector<std::string> keys;
  for (const Record &record : records)
    for (const Record::Field &field : record.fields())
      if (std::find(keys.begin(), keys.end(), field.key) == keys.end())
        keys.push_back(field.key);

  std::string text;
  for (size_t i = 0; i < keys.size(); ++i)
    text += (i ? "," : "") + csvField(keys[i]);
  text += "\n";
  for (const Record &record : records) {
    for (size_t i = 0; i < keys.size(); ++i) {
      std::string value;
      for (const Record::Field &field : record.fields())
        if (field.key == keys[i])
          value = field.value;
      text += (i ? "," : "") + csvField(value);
    }
    text += "\n";
  }
  return writeText(path, text);
}

rt::Status attn::run::writeJson(const std::string &path,
                                const std::vector<Record> &records) {
  std::string text = "[";
  for (size_t r = 0; r < records.size(); ++r) {
    text += r ? ",\n  {" : "\n  {";
    const auto &fields = records[r].fields();
    for (size_t i = 0; i < fields.size(); ++i) {
      text += (i ? ", " : "") + jsonString(fields[i].key) + ": ";
      text += fields[i].isText ? jsonString(fields[i].value) : fields[i].value;
    }
    text += "}";
  }
  text += records.empty() ? "]\n" : "\n]\n";
  return writeText(path, text);
}
