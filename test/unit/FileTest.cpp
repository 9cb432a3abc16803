//===- FileTest.cpp - Reading a path without surprises --------------------===//

#include "runtime/File.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using namespace attn::rt;

namespace {

class File : public ::testing::Test {
protected:
  void SetUp() override {
    char pattern[] = "/tmp/attn-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir = pattern;
  }
  void TearDown() override {
    std::string command = "rm -rf '" + dir + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  std::string errorOf(const std::string &path, uint64_t maxBytes = 1 << 20) {
    Expected<std::string> text = readFile(path, maxBytes);
    if (text.ok())
      return "(read)";
    EXPECT_EQ(text.status().code(), StatusCode::IoError);
    return text.status().message();
  }

  std::string dir;
};

TEST_F(File, ReadsARegularFile) {
  std::string path = dir + "/a.ptx";
  std::ofstream(path, std::ios::binary) << std::string("ab\0cd", 5);
  Expected<std::string> text = readFile(path);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, std::string("ab\0cd", 5));
}

TEST_F(File, MissingFileNamesTheSystemsReason) {
  EXPECT_EQ(errorOf(dir + "/none.ptx"),
            "cannot open '" + dir + "/none.ptx': No such file or directory");
}

TEST_F(File, FifoIsRefusedWithoutWaitingForAWriter) {
  std::string path = dir + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(errorOf(path),
            "cannot read '" + path + "': it is a FIFO, not a regular file");
}

TEST_F(File, DevicesAndDirectoriesAreRefused) {
  std::string link = dir + "/zero";
  ASSERT_EQ(symlink("/dev/zero", link.c_str()), 0);
  EXPECT_EQ(errorOf(link), "cannot read '" + link +
                               "': it is a character device, not a regular "
                               "file");
  EXPECT_EQ(errorOf(dir),
            "cannot read '" + dir + "': it is a directory, not a regular file");
}

TEST_F(File, SizeIsBoundedBeforeReading) {
  std::string path = dir + "/big";
  std::ofstream(path) << "x";
  ASSERT_EQ(truncate(path.c_str(), 4097), 0);
  EXPECT_EQ(errorOf(path, 4096),
            "cannot read '" + path +
                "': it holds 4097 bytes, more than the 4096 this reader "
                "accepts");
  EXPECT_EQ(errorOf(path, 4097), "(read)");
}

} // namespace
