#include "store/db.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "store/migrations.hpp"
#include "store/sql_repos.hpp"
#include "store/test_database.hpp"

namespace parley::store {
namespace {

// Runs each test on SQLite and, when the test command started one, on PostgreSQL.
class DatabaseTest : public ::testing::TestWithParam<Dialect> {
protected:
    void SetUp() override {
        test_db_ = std::make_unique<TestDatabase>(GetParam());
        if (test_db_->db() == nullptr) GTEST_SKIP() << test_db_->skip_reason();
        db_ = test_db_->db();
    }
    void TearDown() override { test_db_.reset(); }

    std::unique_ptr<TestDatabase> test_db_;
    Database* db_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Drivers, DatabaseTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "sqlite" : "postgres"; });

TEST_P(DatabaseTest, MigratesOnceAndAgainIsNothingToDo) {
    auto first = Migrate(*db_);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*first, static_cast<int>(Migrations().size()));
    auto second = Migrate(*db_);
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, 0);
    auto version = db_->QueryOne("SELECT MAX(version) FROM schema_migrations");
    ASSERT_TRUE(version && *version);
    EXPECT_EQ((**version)[0].AsInt(), LatestSchemaVersion());
}

TEST_P(DatabaseTest, RoundTripsTypesAndNulls) {
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (a TEXT, b BIGINT, c DOUBLE PRECISION, d TEXT)"));
    ASSERT_TRUE(db_->Exec("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)",
                          {"it's \"quoted\" ?", 9'007'199'254'740'993LL, 2.5, nullptr}));
    auto row = db_->QueryOne("SELECT a, b, c, d FROM t WHERE a = ?", {"it's \"quoted\" ?"});
    ASSERT_TRUE(row && *row) << (row ? "no row" : row.error().message);
    EXPECT_EQ((**row)[0].AsText(), "it's \"quoted\" ?");
    EXPECT_EQ((**row)[1].AsInt(), 9'007'199'254'740'993LL);
    EXPECT_DOUBLE_EQ((**row)[2].AsDouble(), 2.5);
    EXPECT_TRUE((**row)[3].IsNull());
    // A literal question mark inside a string is not a placeholder.
    auto literal = db_->QueryOne("SELECT '?' || a FROM t WHERE b = ?", {9'007'199'254'740'993LL});
    ASSERT_TRUE(literal && *literal) << (literal ? "" : literal.error().message);
    EXPECT_EQ((**literal)[0].AsText(), "?it's \"quoted\" ?");
}

TEST_P(DatabaseTest, UniqueViolationIsDuplicateAndOtherFailuresInternal) {
    ASSERT_TRUE(db_->Exec("CREATE TABLE u (k TEXT PRIMARY KEY)"));
    ASSERT_TRUE(db_->Exec("INSERT INTO u (k) VALUES (?)", {"a"}));
    auto dup = db_->Exec("INSERT INTO u (k) VALUES (?)", {"a"});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kDuplicate);
    auto bad = db_->Exec("INSERT INTO nowhere (k) VALUES (?)", {"a"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
}

TEST_P(DatabaseTest, ATransactionThatFailsLeavesNothingBehind) {
    ASSERT_TRUE(db_->Exec("CREATE TABLE u (k TEXT PRIMARY KEY)"));
    auto failed = db_->Transaction([](Connection& c) -> Result<void> {
        if (auto n = c.Exec("INSERT INTO u (k) VALUES (?)", {"first"}); !n) return Fail(n.error());
        return Fail(ErrorCode::kValidation, "changed my mind");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kValidation);
    auto dup_inside = db_->Transaction([](Connection& c) -> Result<void> {
        if (auto n = c.Exec("INSERT INTO u (k) VALUES (?)", {"x"}); !n) return Fail(n.error());
        if (auto n = c.Exec("INSERT INTO u (k) VALUES (?)", {"x"}); !n) return Fail(n.error());
        return {};
    });
    ASSERT_FALSE(dup_inside);
    auto count = db_->QueryOne("SELECT COUNT(*) FROM u");
    EXPECT_EQ((**count)[0].AsInt(), 0);
    ASSERT_TRUE(db_->Transaction([](Connection& c) -> Result<void> {
        if (auto n = c.Exec("INSERT INTO u (k) VALUES (?)", {"kept"}); !n) return Fail(n.error());
        return {};
    }));
    EXPECT_EQ((**db_->QueryOne("SELECT COUNT(*) FROM u"))[0].AsInt(), 1);
}

TEST_P(DatabaseTest, UpsertDoNothingReportsZeroChanges) {
    ASSERT_TRUE(db_->Exec("CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT)"));
    EXPECT_EQ(*db_->Exec("INSERT INTO u (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", {"a", "1"}), 1);
    EXPECT_EQ(*db_->Exec("INSERT INTO u (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", {"a", "2"}), 0);
    EXPECT_EQ((**db_->QueryOne("SELECT v FROM u WHERE k = ?", {"a"}))[0].AsText(), "1");
}

}  // namespace
}  // namespace parley::store

namespace parley::store {
namespace {

// Secrets an older Parley stored in clear, and those sealed with a key being rotated out, are
// sealed with the first key of the keyring; what is sealed with it already is left alone.
TEST_P(DatabaseTest, ResealingSealsClearAndOldSecretsWithTheNewKey) {
    ASSERT_TRUE(Migrate(*db_));
    const std::string old_key = SecretBox::NewHexKey();
    auto old_box = SecretBox::FromHex(old_key);
    ASSERT_TRUE(old_box);
    ASSERT_TRUE(
        db_->Exec("INSERT INTO organizations (id, name, tier, created_at) VALUES ('org_a', 'A', 'standard', 1), "
                  "('org_b', 'B', 'standard', 1)"));
    ASSERT_TRUE(
        db_->Exec("INSERT INTO webhook_org_secrets (org_id, secret, created_at) VALUES ('org_a', "
                  "'whsec_clear', 1), ('org_b', ?, 1)",
                  {old_box->Seal("whsec_old")}));
    ASSERT_TRUE(db_->Exec("INSERT INTO settings (name, value) VALUES ('recording_signing_key', 'clear-link-key')"));
    auto ring = SecretBox::FromHex(SecretBox::NewHexKey() + "," + old_key);
    ASSERT_TRUE(ring);
    auto resealed = ResealSecrets(*db_, *ring);
    ASSERT_TRUE(resealed) << resealed.error().message;
    EXPECT_EQ(*resealed, 3);
    auto rows = db_->Query("SELECT org_id, secret FROM webhook_org_secrets ORDER BY org_id");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 2u);
    for (const auto& row : *rows) EXPECT_TRUE(row[1].AsText().starts_with(ring->SealingPrefix()));
    EXPECT_EQ(ring->Open((*rows)[0][1].AsText()), "whsec_clear");
    EXPECT_EQ(ring->Open((*rows)[1][1].AsText()), "whsec_old");
    auto link = db_->QueryOne("SELECT value FROM settings WHERE name = 'recording_signing_key'");
    ASSERT_TRUE(link && *link);
    EXPECT_EQ(ring->Open((**link)[0].AsText()), "clear-link-key");
    EXPECT_EQ(ResealSecrets(*db_, *ring), 0);
}

// A call's parts that no list filters on are stored as one JSON text; every one of them comes
// back as it was written, set or empty.
TEST_P(DatabaseTest, ACallKeepsEveryStoredPartSetOrEmpty) {
    ASSERT_TRUE(Migrate(*db_));
    auto store = MakeSqlStore(*db_, SecretBox::Ephemeral());
    domain::Call full;
    full.id = "call_full";
    full.org_id = "org_1";
    full.profile_id = "prof_1";
    full.profile_version = 3;
    full.contact_id = "ct_1";
    full.campaign_id = "cmp_1";
    full.from_number = "+12025550100";
    full.to_number = "+12025550123";
    full.transferred_to = "+12025550199";
    full.extract = {"budget", "timeline"};
    full.variables = {{"first_name", "Ada \"the\" \\ Lovelace"}};
    full.metadata = {{"campaign_id", "cmp_1"}, {"attempt", 2}};
    full.custom_fields = {{"budget", 5000}};
    full.webhook_url = "https://example.test/hook";
    full.MoveTo(domain::CallStatus::kQueued, 1000, "campaign");
    full.MoveTo(domain::CallStatus::kCompleted, 2000);
    full.started_at = 1100;
    full.answered_at = 1200;
    full.ended_at = 2000;
    full.cost_breakdown = {{"carrier", 3}};
    full.analysis = {{"disposition", "interested"}, {"meeting_booked", true}};
    full.tool_executions = domain::Json::array({{{"name", "book"}}});
    full.transcript = domain::Json::array({{{"role", "agent"}, {"text", "Hello\nthere"}}});
    full.recording = "call_full.wav";
    full.error = "none";
    full.created_at = 1000;
    domain::Call empty;
    empty.id = "call_empty";
    empty.org_id = "org_1";
    empty.profile_id = "prof_1";
    empty.from_number = "+12025550100";
    empty.to_number = "+12025550124";
    ASSERT_TRUE(store->Write([&](domain::Repos& r) -> Result<void> {
        if (auto o = r.organizations().Insert({"org_1", "Org", domain::Tier::kStandard, 1}); !o) return o;
        return r.calls().InsertMany(std::vector<domain::Call>{full, empty});
    }));
    for (const domain::Call& want : {full, empty}) {
        std::optional<domain::Call> got;
        ASSERT_TRUE(store->Read([&](domain::Repos& r) -> Result<void> {
            auto c = r.calls().Get("org_1", want.id);
            if (!c) return Fail(std::move(c.error()));
            got = std::move(*c);
            return {};
        }));
        ASSERT_TRUE(got) << want.id;
        EXPECT_EQ(got->extract, want.extract) << want.id;
        EXPECT_EQ(got->variables, want.variables) << want.id;
        EXPECT_EQ(got->metadata, want.metadata) << want.id;
        EXPECT_EQ(got->custom_fields, want.custom_fields) << want.id;
        EXPECT_EQ(got->webhook_url, want.webhook_url) << want.id;
        EXPECT_EQ(got->transferred_to, want.transferred_to) << want.id;
        ASSERT_EQ(got->history.size(), want.history.size()) << want.id;
        for (size_t i = 0; i < want.history.size(); ++i) {
            EXPECT_EQ(got->history[i].status, want.history[i].status);
            EXPECT_EQ(got->history[i].at, want.history[i].at);
            EXPECT_EQ(got->history[i].reason, want.history[i].reason);
        }
        EXPECT_EQ(got->started_at, want.started_at) << want.id;
        EXPECT_EQ(got->answered_at, want.answered_at) << want.id;
        EXPECT_EQ(got->ended_at, want.ended_at) << want.id;
        EXPECT_EQ(got->cost_breakdown, want.cost_breakdown) << want.id;
        EXPECT_EQ(got->analysis, want.analysis) << want.id;
        EXPECT_EQ(got->tool_executions, want.tool_executions) << want.id;
        EXPECT_EQ(got->transcript, want.transcript) << want.id;
        EXPECT_EQ(got->recording, want.recording) << want.id;
        EXPECT_EQ(got->error, want.error) << want.id;
        EXPECT_EQ(got->Disposition(), want.Disposition()) << want.id;
        EXPECT_EQ(got->MeetingBooked(), want.MeetingBooked()) << want.id;
    }
}

// Before V008 a stored pitch of 0 meant the engine's default; since then 0 is the lowest pitch.
TEST_P(DatabaseTest, APresetStoredWithTheOldDefaultPitchKeepsTheEnginesDefault) {
    ASSERT_TRUE(
        db_->Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                  "applied_at BIGINT NOT NULL)"));
    for (const auto& m : Migrations()) {
        if (m.version >= 8) break;
        ASSERT_TRUE(db_->WithConnection([&](Connection& c) { return c.ExecScript(m.sql); })) << m.name;
        ASSERT_TRUE(db_->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)",
                              {m.version, m.name}));
    }
    ASSERT_TRUE(
        db_->Exec("INSERT INTO organizations (id, name, tier, created_at) VALUES ('org_1', 'Org', 'standard', 1)"));
    ASSERT_TRUE(db_->Exec(
        "INSERT INTO voice_presets (id, org_id, name, engine, voice, rate_wpm, pitch, language, gender, created_at, "
        "updated_at) VALUES ('voice_old', 'org_1', 'Old', 'flite', 'flite:kal', 0, 0, 'en-us', 'male', 1, 1)"));
    ASSERT_TRUE(Migrate(*db_));

    auto store = MakeSqlStore(*db_, SecretBox::Ephemeral());
    domain::VoicePreset lowest;
    lowest.id = "voice_low";
    lowest.org_id = "org_1";
    lowest.name = "Low";
    lowest.engine = "flite";
    lowest.voice = "flite:kal";
    lowest.pitch = 0;
    ASSERT_TRUE(store->Write([&](domain::Repos& r) { return r.voice_presets().Insert(lowest); }));
    std::optional<domain::VoicePreset> old;
    std::optional<domain::VoicePreset> low;
    ASSERT_TRUE(store->Read([&](domain::Repos& r) -> Result<void> {
        auto o = r.voice_presets().Get("org_1", "voice_old");
        if (!o) return Fail(std::move(o.error()));
        old = std::move(*o);
        auto l = r.voice_presets().Get("org_1", "voice_low");
        if (!l) return Fail(std::move(l.error()));
        low = std::move(*l);
        return {};
    }));
    ASSERT_TRUE(old && low);
    EXPECT_EQ(old->pitch, std::nullopt);
    EXPECT_EQ(low->pitch, 0);
}

// Under constant load a passive checkpoint never starts the WAL over; the checkpointer must still
// keep the file bounded.
TEST(SqliteWal, StaysBoundedWhileReadersKeepReading) {
    const auto dir = std::filesystem::temp_directory_path() / ("parley-wal-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = (dir / "wal.db").string();
    {
        auto db = OpenSqlite(path, 2);
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE((*db)->Exec("CREATE TABLE b (v BLOB NOT NULL)"));
        std::atomic<bool> writing{true};
        std::thread reader([&] {
            while (writing) (void)(*db)->QueryOne("SELECT COUNT(*) FROM b");
        });
        constexpr int kMegabytes = 160;  // past the 128 MB at which the WAL is emptied
        for (int i = 0; i < kMegabytes; ++i) {
            ASSERT_TRUE((*db)->Transaction([](Connection& c) -> Result<void> {
                if (auto n = c.Exec("INSERT INTO b (v) VALUES (zeroblob(1048576))"); !n) return Fail(n.error());
                return {};
            }));
        }
        EXPECT_GT(std::filesystem::file_size(path) + std::filesystem::file_size(path + "-wal"),
                  uintmax_t{kMegabytes} << 20);
        // Readers go on; the file shrinks below the limit with no further writes.
        uintmax_t wal = 0;
        for (int tries = 0; tries < 200; ++tries) {
            wal = std::filesystem::file_size(path + "-wal");
            if (wal < (uintmax_t{128} << 20)) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        writing = false;
        reader.join();
        EXPECT_LT(wal, uintmax_t{128} << 20);
        EXPECT_EQ((**(*db)->QueryOne("SELECT COUNT(*) FROM b"))[0].AsInt(), kMegabytes);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parley::store

namespace parley::store {
namespace {

// A carrier's password is stored sealed, read back opened, and resealed when the key rotates.
TEST_P(DatabaseTest, ACarriersPasswordIsSealedAtRestAndResealedWithANewKey) {
    ASSERT_TRUE(Migrate(*db_));
    const std::string old_key = SecretBox::NewHexKey();
    auto old_box = SecretBox::FromHex(old_key);
    ASSERT_TRUE(old_box);
    ASSERT_TRUE(
        db_->Exec("INSERT INTO organizations (id, name, tier, created_at) VALUES ('org_a', 'A', 'standard', 1)"));
    auto store = MakeSqlStore(*db_, *old_box);
    domain::Carrier carrier;
    carrier.id = "car_1";
    carrier.org_id = "org_a";
    carrier.name = "Trunk";
    carrier.sip_host = "sip.example.com";
    carrier.auth_username = "parley";
    carrier.auth_password = "trunk-password";
    carrier.inbound_sources = {"192.0.2.0/24"};
    ASSERT_TRUE(store->Write([&](domain::Repos& r) { return r.carriers().Insert(carrier); }));
    auto raw = db_->QueryOne("SELECT auth_password FROM carriers WHERE id = 'car_1'");
    ASSERT_TRUE(raw && *raw);
    EXPECT_TRUE((**raw)[0].AsText().starts_with(old_box->SealingPrefix()));
    EXPECT_EQ((**raw)[0].AsText().find("trunk-password"), std::string::npos);
    auto read = domain::ReadTx(*store, [](domain::Repos& r) { return r.carriers().Get("org_a", "car_1"); });
    ASSERT_TRUE(read && *read);
    EXPECT_EQ((*read)->auth_password, "trunk-password");
    EXPECT_EQ((*read)->inbound_sources, std::vector<std::string>{"192.0.2.0/24"});

    auto ring = SecretBox::FromHex(SecretBox::NewHexKey() + "," + old_key);
    ASSERT_TRUE(ring);
    EXPECT_EQ(ResealSecrets(*db_, *ring), 1);
    raw = db_->QueryOne("SELECT auth_password FROM carriers WHERE id = 'car_1'");
    EXPECT_TRUE((**raw)[0].AsText().starts_with(ring->SealingPrefix()));
    auto reopened =
        domain::ReadTx(*MakeSqlStore(*db_, *ring), [](domain::Repos& r) { return r.carriers().Get("org_a", "car_1"); });
    ASSERT_TRUE(reopened && *reopened);
    EXPECT_EQ((*reopened)->auth_password, "trunk-password");

    // Sealed under a key this node does not have: an error naming the carrier, not a crash.
    auto stranger = MakeSqlStore(*db_, SecretBox::Ephemeral());
    auto unreadable = domain::ReadTx(*stranger, [](domain::Repos& r) { return r.carriers().Get("org_a", "car_1"); });
    ASSERT_FALSE(unreadable);
    EXPECT_NE(unreadable.error().message.find("car_1"), std::string::npos);
}

}  // namespace
}  // namespace parley::store
