#include "support/parley_server.hpp"

#include <libpq-fe.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>

namespace parley::testing {
namespace {

std::string Env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string RandomSuffix() {
    static std::mt19937_64 rng{std::random_device{}()};
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    return std::to_string(rng() % 1'000'000'000'000ULL);
}

}  // namespace

std::string ParleyBinary() {
    return PARLEY_BINARY;
}

std::string BackendName(Backend b) {
    return b == Backend::kSqlite ? "sqlite" : "postgres";
}

bool PostgresAvailable() {
    return !Env("PARLEY_TEST_PG_HOST").empty();
}

std::string NewPostgresDatabase() {
    const std::string host = Env("PARLEY_TEST_PG_HOST");
    const std::string port = Env("PARLEY_TEST_PG_PORT").empty() ? "5432" : Env("PARLEY_TEST_PG_PORT");
    const std::string user = Env("PARLEY_TEST_PG_USER").empty() ? "postgres" : Env("PARLEY_TEST_PG_USER");
    const std::string admin = "host=" + host + " port=" + port + " user=" + user + " dbname=postgres";
    PGconn* conn = PQconnectdb(admin.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string m = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot reach the test PostgreSQL server: " + m);
    }
    const std::string name = "parley_test_" + RandomSuffix();
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string m = PQerrorMessage(conn);
    PQclear(r);
    PQfinish(conn);
    if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + m);
    return "postgresql://" + user + "@/" + name + "?host=" + host + "&port=" + port;
}

ParleyServer::ParleyServer(Backend backend, std::vector<std::string> extra_args)
    : backend_(backend), extra_args_(std::move(extra_args)) {
    data_dir_ = (std::filesystem::temp_directory_path() / ("parley-test-" + RandomSuffix())).string();
    std::filesystem::create_directories(data_dir_);
    if (backend_ == Backend::kPostgres) db_url_ = NewPostgresDatabase();
}

std::unique_ptr<ParleyServer> ParleyServer::SecondNode(const ParleyServer& first) {
    auto node = std::make_unique<ParleyServer>(Backend::kSqlite, first.extra_args_);
    node->backend_ = first.backend_;
    node->db_url_ = first.db_url_;
    // Every node of one database needs the master key its secrets are sealed with.
    std::error_code ec;
    std::filesystem::copy_file(std::filesystem::path(first.data_dir_) / "master.key",
                               std::filesystem::path(node->data_dir_) / "master.key", ec);
    return node;
}

ParleyServer::~ParleyServer() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
}

std::string TestEnginesFile() {
    static const std::string path = [] {
        const auto file =
            std::filesystem::temp_directory_path() / ("parley-test-engines-" + std::to_string(::getpid()) + ".json");
        std::ofstream(file) << R"({"prices": {"sandbox": {"per_minute_cents": 1.5},
                                             "pocketsphinx": {"per_minute_cents": 20.0},
                                             "flite": {"per_1k_chars_cents": 10.0},
                                             "scripted": {"per_call_cents": 1.0}}})";
        return file.string();
    }();
    return path;
}

ParleyServer& ParleyServer::Shared(Backend backend) {
    static std::mutex mutex;
    static std::map<Backend, std::unique_ptr<ParleyServer>> servers;
    std::lock_guard lock(mutex);
    auto& s = servers[backend];
    if (!s) {
        // Sandbox calls at full speed, a price for every engine so that costs show, and webhooks
        // to the tests' receivers on loopback.
        s = std::make_unique<ParleyServer>(
            backend, std::vector<std::string>{"--sandbox-speed", "0", "--engines", TestEnginesFile(),
                                              "--allow-private-webhooks"});
        s->Start();
    }
    return *s;
}

std::vector<std::string> ParleyServer::StorageArgs() const {
    std::vector<std::string> args{"--data", data_dir_};
    if (!db_url_.empty()) {
        args.push_back("--db");
        args.push_back(db_url_);
    }
    return args;
}

void ParleyServer::Start() {
    std::vector<std::string> argv{ParleyBinary(), "serve", "--listen", "127.0.0.1:0", "--log-level", "warn"};
    for (auto& a : StorageArgs()) argv.push_back(a);
    for (auto& a : extra_args_) argv.push_back(a);
    process_ = std::make_unique<Process>(argv);
    auto port =
        process_->WaitForLine(std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)"), std::chrono::seconds(60));
    if (!port) throw std::runtime_error("parley serve did not start; it printed: " + process_->output());
    if (first_output_.empty()) first_output_ = process_->output();
    http_ = std::make_unique<HttpClient>("127.0.0.1", static_cast<uint16_t>(std::stoi(*port)));
}

int ParleyServer::Stop(int signal) {
    process_->Signal(signal);
    const int code = process_->Wait();
    return code;
}

std::pair<int, std::string> ParleyServer::Cli(std::vector<std::string> args) const {
    std::vector<std::string> argv{ParleyBinary()};
    for (auto& a : args) argv.push_back(a);
    for (auto& a : StorageArgs()) argv.push_back(a);
    return RunCommand(argv);
}

OrgKey ParleyServer::CreateOrg(const std::string& tier, const std::string& name) {
    auto [code, out] = Cli({"org", "create", "--name", name, "--tier", tier, "--log-level", "warn"});
    if (code != 0) throw std::runtime_error("parley org create failed: " + out);
    auto j = Json::parse(out);
    return OrgKey{j["organization_id"].get<std::string>(), j["api_key"].get<std::string>(),
                  j["key_id"].get<std::string>()};
}

}  // namespace parley::testing
