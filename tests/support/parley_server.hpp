#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace parley::testing {

enum class Backend { kSqlite, kPostgres };

std::string BackendName(Backend b);

// The throwaway PostgreSQL server the test command started, if any (PARLEY_TEST_PG_HOST,
// PARLEY_TEST_PG_PORT, PARLEY_TEST_PG_USER).
bool PostgresAvailable();
// A new, empty database on that server, as a postgresql:// URL.
std::string NewPostgresDatabase();

struct OrgKey {
    std::string org_id;
    std::string key;
    std::string key_id;
};

// A real `parley serve` process on a loopback port chosen by the OS, with its own data folder
// (SQLite) or its own PostgreSQL database.
class ParleyServer {
public:
    explicit ParleyServer(Backend backend, std::vector<std::string> extra_args = {});
    // Another node on the same PostgreSQL database as `first`.
    static std::unique_ptr<ParleyServer> SecondNode(const ParleyServer& first);
    ~ParleyServer();

    // One server per backend shared by the tests of a binary; tests keep apart by using their
    // own organizations.
    static ParleyServer& Shared(Backend backend);

    void Start();
    // Sends `signal` and waits for the exit code.
    int Stop(int signal);
    void Signal(int signal) { process_->Signal(signal); }
    int Wait() { return process_->Wait(); }

    OrgKey CreateOrg(const std::string& tier = "enterprise", const std::string& name = "Test org");
    // Runs the parley binary with these arguments plus this server's storage options.
    std::pair<int, std::string> Cli(std::vector<std::string> args) const;

    const HttpClient& http() const { return *http_; }
    ApiClient Client(const std::string& key) const { return ApiClient(*http_, key); }
    const std::string& first_start_output() const { return first_output_; }
    std::vector<std::string> StorageArgs() const;
    Backend backend() const { return backend_; }

private:
    Backend backend_;
    std::vector<std::string> extra_args_;
    std::string data_dir_;
    std::string db_url_;
    std::unique_ptr<Process> process_;
    std::unique_ptr<HttpClient> http_;
    std::string first_output_;
};

// An engines file (--engines) with a price for every engine of a sandbox call.
std::string TestEnginesFile();

// Path of the parley binary under test.
std::string ParleyBinary();

}  // namespace parley::testing
