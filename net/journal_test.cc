// The journal's framing under damage: a journal cut at every byte offset, a
// bit flipped at every byte, a record the replay refuses, --repair, and
// journals of format 1.
#include "net/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "net/temp_dir_testing.h"

namespace imagelib::net {
namespace {

using nlohmann::json;

struct Record {
  json header;
  Bytes payload;
  bool operator==(const Record&) const = default;
};

std::vector<Record> sample_records() {
  std::vector<Record> records;
  for (int i = 0; i < 4; ++i) {
    Bytes payload(static_cast<std::size_t>(i * 5), static_cast<std::uint8_t>('a' + i));
    records.push_back({json{{"t", "input"}, {"n", i}}, std::move(payload)});
  }
  return records;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A journal of `records` at `path`; the byte offset where each record ends.
std::vector<std::uint64_t> write_journal(const std::string& path, const std::vector<Record>& records) {
  auto journal = Journal::open(path, [](const json&, ByteView) { return Status(); });
  EXPECT_TRUE(journal.ok());
  std::vector<std::uint64_t> ends;
  for (const Record& record : records) {
    EXPECT_TRUE((*journal)->append(record.header, record.payload).ok());
    ends.push_back(std::filesystem::file_size(path));
  }
  return ends;
}

struct Opened {
  Result<std::unique_ptr<Journal>> journal;
  std::vector<Record> seen;
};

Opened open_journal(const std::string& path, JournalOpenOptions options = {},
                    std::function<Status(const Record&)> refuse = nullptr) {
  Opened opened{Status(), {}};
  opened.journal = Journal::open(
      path,
      [&](const json& header, ByteView payload) {
        Record record{header, Bytes(payload.begin(), payload.end())};
        if (refuse) IMAGELIB_RETURN_IF_ERROR(refuse(record));
        opened.seen.push_back(std::move(record));
        return Status();
      },
      options);
  return opened;
}

TEST(Journal, RecordsComeBackInOrder) {
  TempDir dir;
  const auto records = sample_records();
  write_journal(dir.file("j"), records);
  Opened opened = open_journal(dir.file("j"));
  ASSERT_TRUE(opened.journal.ok()) << opened.journal.status().to_string();
  EXPECT_EQ(opened.seen, records);
  EXPECT_EQ((*opened.journal)->records(), records.size());
  EXPECT_EQ((*opened.journal)->format(), Journal::kCurrentFormat);
  EXPECT_TRUE((*opened.journal)->notes().empty());
  EXPECT_EQ(std::filesystem::status(dir.file("j")).permissions(), std::filesystem::perms(0600));
}

TEST(Journal, ACutAtAnyByteKeepsTheWholeRecordsBeforeItAndAppendsAfterThem) {
  TempDir dir;
  const auto records = sample_records();
  const auto ends = write_journal(dir.file("whole"), records);
  const std::string whole = read_file(dir.file("whole"));
  for (std::size_t cut = 0; cut <= whole.size(); ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    write_file(dir.file("cut"), whole.substr(0, cut));
    std::size_t kept = 0;
    while (kept < ends.size() && ends[kept] <= cut) ++kept;
    Opened opened = open_journal(dir.file("cut"));
    ASSERT_TRUE(opened.journal.ok()) << opened.journal.status().to_string();
    EXPECT_EQ(opened.seen, std::vector<Record>(records.begin(), records.begin() + static_cast<long>(kept)));
    const bool torn = cut > (kept > 0 ? ends[kept - 1] : 8);
    EXPECT_EQ((*opened.journal)->notes().size(), torn ? 1u : 0u);
    if (torn) {
      EXPECT_NE((*opened.journal)->notes()[0].find("torn last record"), std::string::npos);
    }
    // The journal goes on after what was kept.
    ASSERT_TRUE((*opened.journal)->append(json{{"t", "after"}}, {}).ok());
    opened.journal->reset();
    Opened again = open_journal(dir.file("cut"));
    ASSERT_TRUE(again.journal.ok()) << again.journal.status().to_string();
    ASSERT_EQ(again.seen.size(), kept + 1);
    EXPECT_EQ(again.seen.back().header, (json{{"t", "after"}}));
    EXPECT_TRUE((*again.journal)->notes().empty());
  }
}

TEST(Journal, AFlippedBitIsNeverReadAsARecordAndRepairKeepsWhatWasGood) {
  TempDir dir;
  const auto records = sample_records();
  write_journal(dir.file("whole"), records);
  const std::string whole = read_file(dir.file("whole"));
  for (std::size_t at = 0; at < whole.size(); ++at) {
    SCOPED_TRACE("bit flipped at byte " + std::to_string(at));
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write_file(dir.file("damaged"), damaged);
    Opened opened = open_journal(dir.file("damaged"));
    // Whatever is read is a prefix of what was written, never a changed record.
    ASSERT_LE(opened.seen.size(), records.size());
    EXPECT_EQ(opened.seen, std::vector<Record>(records.begin(), records.begin() + static_cast<long>(opened.seen.size())));
    if (!opened.journal.ok()) {
      const std::string message = opened.journal.status().message();
      EXPECT_NE(message.find("at byte"), std::string::npos) << message;
      EXPECT_NE(message.find("--repair"), std::string::npos) << message;
      EXPECT_EQ(read_file(dir.file("damaged")), damaged) << "a refused open changes nothing";
    }
    Opened repaired = open_journal(dir.file("damaged"), {.repair = true});
    ASSERT_TRUE(repaired.journal.ok()) << repaired.journal.status().to_string();
    EXPECT_EQ(repaired.seen, std::vector<Record>(records.begin(), records.begin() + static_cast<long>(repaired.seen.size())));
    if (!opened.journal.ok()) {
      ASSERT_EQ((*repaired.journal)->notes().size(), 1u);
      EXPECT_NE((*repaired.journal)->notes()[0].find("(--repair)"), std::string::npos);
      // Nothing is lost: what the journal no longer holds is in the file set aside.
      const std::string kept = read_file(dir.file("damaged"));
      std::string aside;
      for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(dir.file("damaged")).parent_path())) {
        if (entry.path().filename().string().rfind("damaged.bad-", 0) == 0) {
          aside = read_file(entry.path().string());
          std::filesystem::remove(entry.path());
        }
      }
      const std::size_t kept_bytes = kept.size() == 8 && kept != damaged.substr(0, 8) ? 0 : kept.size();
      EXPECT_EQ(damaged.substr(0, kept_bytes) + aside, damaged);
    }
  }
}

TEST(Journal, ARecordTheReplayRefusesStopsTheOpenUnlessRepairMovesItAside) {
  TempDir dir;
  const auto records = sample_records();
  const auto ends = write_journal(dir.file("j"), records);
  auto refuse_third = [](const Record& record) {
    return record.header.at("n") == 2 ? Status(ErrorCode::kInternal, "no such image") : Status();
  };
  Opened refused = open_journal(dir.file("j"), {}, refuse_third);
  ASSERT_FALSE(refused.journal.ok());
  EXPECT_EQ(refused.journal.status().message(),
            "journal " + dir.file("j") + ": record 3 at byte " + std::to_string(ends[1]) +
                " cannot be replayed: no such image; starting imagelib serve with --repair moves it and the " +
                std::to_string(ends[3] - ends[1]) + " bytes from there on aside to " + dir.file("j") + ".bad-" +
                std::to_string(ends[1]) + " and starts from the records before it");

  Opened repaired = open_journal(dir.file("j"), {.repair = true}, refuse_third);
  ASSERT_TRUE(repaired.journal.ok()) << repaired.journal.status().to_string();
  EXPECT_TRUE((*repaired.journal)->moved_a_refused_record());
  EXPECT_EQ(repaired.seen, std::vector<Record>(records.begin(), records.begin() + 2));
  EXPECT_EQ(std::filesystem::file_size(dir.file("j")), ends[1]);
  EXPECT_EQ(std::filesystem::file_size(dir.file("j") + ".bad-" + std::to_string(ends[1])), ends[3] - ends[1]);
  repaired.journal->reset();
  Opened after = open_journal(dir.file("j"));
  ASSERT_TRUE(after.journal.ok());
  EXPECT_EQ(after.seen.size(), 2u);
}

TEST(Journal, AFileThatIsNotAJournalIsRefusedNotEmptied) {
  TempDir dir;
  write_file(dir.file("j"), "this is not a journal, and it is long enough to be read");
  Opened opened = open_journal(dir.file("j"));
  ASSERT_FALSE(opened.journal.ok());
  EXPECT_NE(opened.journal.status().message().find("--repair"), std::string::npos);
  EXPECT_EQ(read_file(dir.file("j")), "this is not a journal, and it is long enough to be read");
}

// Format 1 framing: u32 header length, header, u64 payload length, payload.
std::string format1_frame(const Record& record) {
  const std::string header = record.header.dump();
  std::string frame;
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  frame += header;
  for (int i = 0; i < 8; ++i) frame.push_back(static_cast<char>((record.payload.size() >> (8 * i)) & 0xff));
  frame.append(record.payload.begin(), record.payload.end());
  return frame;
}

TEST(Journal, AFormat1JournalIsReadAndGoesOnInItsOwnFormat) {
  TempDir dir;
  const auto records = sample_records();
  std::string bytes;
  for (const Record& record : records) bytes += format1_frame(record);
  write_file(dir.file("old"), bytes + "\x05\x00");  // and a torn tail
  Opened opened = open_journal(dir.file("old"));
  ASSERT_TRUE(opened.journal.ok()) << opened.journal.status().to_string();
  EXPECT_EQ((*opened.journal)->format(), 1);
  EXPECT_EQ(opened.seen, records);
  EXPECT_EQ((*opened.journal)->notes().size(), 1u);
  ASSERT_TRUE((*opened.journal)->append(json{{"t", "after"}}, {}).ok());
  opened.journal->reset();
  Opened again = open_journal(dir.file("old"));
  ASSERT_TRUE(again.journal.ok());
  EXPECT_EQ(again.seen.size(), records.size() + 1);
}

}  // namespace
}  // namespace imagelib::net
