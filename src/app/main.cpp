// The parley command: `serve` runs the platform; `org`, `key` and `migrate` are for operators.

#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/api.hpp"
#include "app/config.hpp"
#include "app/mcp_stdio.hpp"
#include "calls/call_runtime.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/phone.hpp"
#include "common/secret_box.hpp"
#include "common/time_format.hpp"
#include "dialer/call_check.hpp"
#include "dialer/dialer.hpp"
#include "domain/key_service.hpp"
#include "domain/oauth_service.hpp"
#include "domain/render.hpp"
#include "domain/service_set.hpp"
#include "events/webhook_worker.hpp"
#include "http/server.hpp"
#include "sandbox/sandbox.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"
#include "voice/plan_compiler.hpp"
#include "voice/speech_engines.hpp"

namespace parley::app {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kIdempotencyKeepMs = 25LL * 3600 * 1000;  // at least the promised 24 h
constexpr int64_t kRateWindowKeepMs = 2 * 60 * 1000;
constexpr auto kMaintenanceEvery = std::chrono::minutes(1);

int Die(const std::string& message) {
    std::cerr << "parley: " << message << "\n";
    return 2;
}

constexpr const char* kMasterKeyFile = "master.key";
constexpr const char* kNextMasterKeyFile = "master.key.next";  // a rotation under way

// A key file's text, or nothing when there is no such file.
Result<std::optional<std::string>> ReadKeyFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<std::string>();
    std::ifstream in(path);
    std::string text;
    if (!in || !std::getline(in, text)) return Fail(ErrorCode::kValidation, "cannot read " + path.string());
    return std::optional<std::string>(text);
}

// Writes a new random key to `path`, readable by this user only; kDuplicate when it exists.
Result<void> WriteNewKeyFile(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return Fail(ErrorCode::kDuplicate, path.string() + " exists");
        return Fail(ErrorCode::kValidation, "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    const std::string text = SecretBox::NewHexKey() + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return Fail(ErrorCode::kValidation, "cannot write " + path.string());
    return {};
}

// PARLEY_MASTER_KEY, when it is set and not empty.
std::optional<std::string_view> MasterKeyFromEnv() {
    const char* env = std::getenv("PARLEY_MASTER_KEY");
    if (!env || !*env) return std::nullopt;
    return std::string_view(env);
}

// The keyring that seals stored secrets: PARLEY_MASTER_KEY when set (64 hex digits; during a
// rotation "new,old"), else master.key in the data folder, made at first use; a
// master.key.next left by a rotation comes first.
Result<SecretBox> MasterKeys(const StorageConfig& config) {
    if (auto env = MasterKeyFromEnv()) {
        auto box = SecretBox::FromHex(*env);
        if (!box) return Fail(ErrorCode::kValidation, "PARLEY_MASTER_KEY: " + box.error().message);
        return box;
    }
    const std::filesystem::path dir(config.data_dir);
    if (auto made = WriteNewKeyFile(dir / kMasterKeyFile); !made && made.error().code != ErrorCode::kDuplicate) {
        return Fail(std::move(made.error()));
    }
    auto current = ReadKeyFile(dir / kMasterKeyFile);
    if (!current) return Fail(std::move(current.error()));
    auto next = ReadKeyFile(dir / kNextMasterKeyFile);
    if (!next) return Fail(std::move(next.error()));
    auto box = SecretBox::FromHex(*next ? **next + "," + **current : **current);
    if (!box) return Fail(ErrorCode::kValidation, (dir / kMasterKeyFile).string() + ": " + box.error().message);
    return box;
}

// Seals what is not sealed with the first key, then ends a rotation under way: the new key
// becomes master.key. Safe to repeat after a crash at any point.
Result<int64_t> SealSecrets(store::Database& db, const SecretBox& box, const StorageConfig& config) {
    auto resealed = store::ResealSecrets(db, box);
    if (!resealed) return Fail(std::move(resealed.error()));
    if (!MasterKeyFromEnv()) {
        const std::filesystem::path dir(config.data_dir);
        std::error_code ec;
        if (std::filesystem::exists(dir / kNextMasterKeyFile, ec)) {
            std::filesystem::rename(dir / kNextMasterKeyFile, dir / kMasterKeyFile, ec);
            if (ec) return Fail(ErrorCode::kValidation, "cannot rename the new master key: " + ec.message());
        }
    }
    return resealed;
}

// The database, migrated, with the domain's store over it and its secrets sealed.
struct Storage {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<SecretBox> box;
    std::unique_ptr<domain::Store> store;
};

Result<Storage> OpenStorage(const StorageConfig& config, int pool_size) {
    auto location = config.Location();
    if (!location) return Fail(std::move(location.error()));
    auto db = store::OpenDatabase(*location, pool_size);
    if (!db) return Fail(std::move(db.error()));
    auto migrated = store::Migrate(**db);
    if (!migrated) return Fail(std::move(migrated.error()));
    auto box = MasterKeys(config);
    if (!box) return Fail(std::move(box.error()));
    Storage s;
    s.box = std::make_unique<SecretBox>(std::move(*box));
    if (auto sealed = SealSecrets(**db, *s.box, config); !sealed) {
        return Fail(ErrorCode::kValidation, sealed.error().message +
                                                "; every node needs the master key the secrets were sealed with "
                                                "(docs/security.md)");
    } else if (*sealed > 0) {
        spdlog::info("sealed {} stored secrets with master key {}", *sealed, s.box->SealingPrefix().substr(3, 8));
    }
    s.store = store::MakeSqlStore(**db, *s.box);
    s.db = std::move(*db);
    return s;
}

void PrintJson(const Json& j) {
    std::cout << j.dump(2) << std::endl;
}

struct ServeOptions {
    std::string listen = "127.0.0.1:8080";
    int threads = 4;
    std::string region = "US";
    std::string org_name = "My organization";
    double key_cache_seconds = domain::KeyService::kDefaultCacheMs / 1000.0;
    double sandbox_speed = 1;
    std::string sandbox_numbers = "fictional";
    std::string engines_file;
    std::string max_calls = "auto";
    std::string max_local_calls = "auto";
    int speech_workers = 2;
    std::string node_id;
    std::string caller_id = "+12025550100";
    std::string public_url;
    int64_t recording_link_seconds = api::kDefaultRecordingLinkSeconds;
    bool allow_private_webhooks = false;
    size_t max_connections = 10'000;
    size_t max_connections_per_address = 256;
    std::string sip_listen;  // empty: no SIP on this node
    std::string sip_advertise;
    std::string rtp_ports = "10000-20000";
    int sip_tls_port = 0;  // 0: no SIP over TLS
    std::string sip_tls_cert;
    std::string sip_tls_ca;
};

// --max-calls and --max-local-calls: "auto" (0) or a number of calls.
Result<int> CallLimit(const std::string& text, std::string_view option) {
    if (text == "auto") return 0;
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 10000) {
        return Fail(ErrorCode::kValidation, std::string(option) + " must be auto or a number from 1 to 10000");
    }
    return n;
}

// Imports and bulk writes running at once; more wait for a slot.
constexpr int kHeavyThreads = 2;

// The connections served at once: as asked, but below the open-file limit, whose last quarter
// (at least 256) is kept for the database, webhook deliveries, recordings and the like.
size_t ConnectionCap(uint64_t file_limit, size_t asked) {
    const uint64_t reserve = std::max<uint64_t>(256, file_limit / 4);
    const uint64_t room = file_limit > reserve ? file_limit - reserve : 16;
    return static_cast<size_t>(std::max<uint64_t>(16, std::min<uint64_t>(asked, room)));
}

// The installation's secret for signing recording links: made once, shared by every node,
// stored sealed.
Result<std::string> SigningKey(store::Database& db, const SecretBox& box) {
    auto inserted = db.Exec(
        "INSERT INTO settings (name, value) VALUES ('recording_signing_key', ?) "
        "ON CONFLICT (name) DO NOTHING",
        {box.Seal(RandomAlphanumeric(48))});
    if (!inserted) return Fail(std::move(inserted.error()));
    auto row = db.QueryOne("SELECT value FROM settings WHERE name = 'recording_signing_key'");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(ErrorCode::kInternal, "the recording signing key is missing");
    return box.Open((**row)[0].AsText());
}

// A name for this node that survives restarts, kept in the data folder, so a restarted node
// recognizes the calls it was running.
std::string NodeId(const std::string& data_dir) {
    const auto path = std::filesystem::path(data_dir) / "node-id";
    std::ifstream in(path);
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) return id;
    id = "node-" + RandomAlphanumeric(10);
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    std::ofstream(path) << id << "\n";
    return id;
}

Result<voice::EnginesConfig> LoadEngines(const std::string& path) {
    if (path.empty()) return voice::EnginesConfig{};
    std::ifstream in(path);
    if (!in) return Fail(ErrorCode::kValidation, "cannot read the engines file " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto config = voice::ParseEnginesConfig(text.str());
    if (!config) return Fail(ErrorCode::kValidation, path + ": " + config.error().message);
    return config;
}

int Serve(const StorageConfig& storage_config, const ServeOptions& o) {
    auto listen = ParseListen(o.listen);
    if (!listen) return Die(listen.error().message);
    if (!IsSupportedRegion(o.region)) return Die("--default-region must be a region code such as US or GB");
    if (o.threads < 1 || o.threads > 256) return Die("--threads must be from 1 to 256");
    // The workers, the heavy lane, and the background loops (dialer, runtime, webhook worker).
    auto storage = OpenStorage(storage_config, o.threads + kHeavyThreads + 3);
    if (!storage) return Die(storage.error().message);
    SystemClock clock;
    store::Database& db = *storage->db;
    if (o.sandbox_speed < 0 || o.sandbox_speed > 1000)
        return Die("--sandbox-speed must be from 0 (as fast as possible) to 1000");
    if (o.speech_workers < 1 || o.speech_workers > 64) return Die("--speech-workers must be from 1 to 64");
    auto max_calls = CallLimit(o.max_calls, "--max-calls");
    if (!max_calls) return Die(max_calls.error().message);
    auto max_local_calls = CallLimit(o.max_local_calls, "--max-local-calls");
    if (!max_local_calls) return Die(max_local_calls.error().message);
    const auto limits =
        calls::DeriveCallLimits(*max_calls, *max_local_calls, o.speech_workers, calls::AvailableCores());
    spdlog::info("this node runs {} calls at once, {} of them recognized here; more wait queued", limits.calls,
                 limits.local_calls);
    if (!ParsePhone(o.caller_id, "US")) return Die("--caller-id must be a phone number in E.164, e.g. +12025550100");
    auto signing_key = SigningKey(db, *storage->box);
    if (!signing_key) return Die(signing_key.error().message);
    auto org_secrets = domain::WriteTx(
        *storage->store, [&](domain::Repos& r) { return r.webhooks().CreateMissingOrgSecrets(clock.NowMs()); });
    if (!org_secrets) return Die(org_secrets.error().message);
    auto engines_config = LoadEngines(o.engines_file);
    if (!engines_config) return Die(engines_config.error().message);
    voice::SpeechEngines engines(std::move(*engines_config), o.speech_workers);
    const auto numbers =
        o.sandbox_numbers == "any-nanp" ? sandbox::SandboxNumbers::kAnyNanp : sandbox::SandboxNumbers::kFictional;
    if (numbers == sandbox::SandboxNumbers::kAnyNanp) {
        spdlog::warn(
            "the sandbox answers every North American number (--sandbox-numbers any-nanp), for load tests; "
            "it reaches no phone network, so nobody is called");
    }
    sandbox::SandboxCarrier sandbox(engines.tts(), numbers);
    std::unique_ptr<telephony::sip::SipAgent> sip;
    if ((o.sip_tls_port != 0 || !o.sip_tls_ca.empty()) && o.sip_tls_cert.empty()) {
        return Die("--sip-tls-port and --sip-tls-ca need --sip-tls-cert");
    }
    if (!o.sip_tls_cert.empty() && (o.sip_tls_port < 1 || o.sip_tls_port > 65535 || o.sip_listen.empty())) {
        return Die("--sip-tls-cert needs --sip-listen and --sip-tls-port (1-65535)");
    }
    if (!o.sip_listen.empty()) {
        auto sip_listen = ParseListen(o.sip_listen, "--sip-listen");
        if (!sip_listen) return Die(sip_listen.error().message);
        auto rtp_ports = ParsePortRange(o.rtp_ports);
        if (!rtp_ports) return Die(rtp_ports.error().message);
        sip = std::make_unique<telephony::sip::SipAgent>(telephony::sip::SipOptions{
            .listen_host = sip_listen->first,
            .listen_port = sip_listen->second,
            .advertised_host = o.sip_advertise,
            .rtp_first_port = rtp_ports->first,
            .rtp_last_port = rtp_ports->second,
            .tls_port = o.sip_tls_port,
            .tls_certificate = o.sip_tls_cert,
            .tls_ca = o.sip_tls_ca,
        });
    }
    calls::RuntimeOptions runtime_options;
    runtime_options.node_id = o.node_id.empty() ? NodeId(storage_config.data_dir) : o.node_id;
    runtime_options.max_concurrent_calls = limits.calls;
    runtime_options.max_local_calls = limits.local_calls;
    runtime_options.model_threads = limits.model_threads;
    runtime_options.speed = o.sandbox_speed;
    runtime_options.worker_threads = o.speech_workers;
    runtime_options.caller_id = ParsePhone(o.caller_id, "US")->e164;
    const std::string data_dir = storage_config.data_dir;
    runtime_options.recordings_dir = (std::filesystem::path(data_dir) / "recordings").string();
    calls::CallRuntime runtime(*storage->store, clock, engines, sandbox, runtime_options, sip.get());
    if (sip) {
        sip->OnInbound([&runtime](std::unique_ptr<telephony::sip::IncomingCall> incoming) {
            runtime.TakeInbound(std::move(incoming));
        });
        if (auto started = sip->Start(); !started) return Die(started.error().message);
        spdlog::info("SIP listening on {} (UDP and TCP){}, RTP on ports {}", o.sip_listen,
                     o.sip_tls_port != 0 ? fmt::format(" and TLS port {}", o.sip_tls_port) : "", o.rtp_ports);
    }
    voice::PlanCompiler compiler(engines, &engines);
    events::WorkerOptions worker_options;
    worker_options.node_id = runtime_options.node_id;
    worker_options.allow_private = o.allow_private_webhooks;
    events::WebhookWorker webhook_worker(*storage->store, clock, worker_options);
    // Every committed change that recorded events wakes the worker at once.
    storage->store->SetEventListener([&webhook_worker] { webhook_worker.Wake(); });
    dialer::Dialer dialer(*storage->store, clock, runtime);
    domain::ServiceSet services(*storage->store, clock,
                                {.catalog = engines,
                                 .compiler = compiler,
                                 .launcher = runtime,
                                 .default_region = o.region,
                                 .webhook_urls = net::WebhookUrlPolicy{o.allow_private_webhooks},
                                 .key_cache_ms = static_cast<int64_t>(o.key_cache_seconds * 1000),
                                 .wake_dialer = [&dialer] { dialer.Wake(); },
                                 .wake_webhooks = [&webhook_worker] { webhook_worker.Wake(); }});
    dialer::CallCheck dialer_check(*storage->store, clock, runtime, o.region);
    auto count = domain::ReadTx(*storage->store, [](domain::Repos& r) { return r.organizations().Count(); });
    if (!count) return Die(count.error().message);
    if (*count == 0) {
        auto created = services.keys.CreateOrganization(o.org_name, domain::Tier::kStandard);
        if (!created) return Die(created.error().message);
        std::cout << "Created organization " << created->first.id << " (\"" << created->first.name << "\").\n"
                  << "Owner API key, shown only this once; store it now:\n\n    " << created->second.secret << "\n\n";
    }
    if (auto started = webhook_worker.Start(); !started) return Die(started.error().message);
    if (auto started = runtime.Start(); !started) return Die(started.error().message);
    dialer.Start();

    api::ApiOptions api_options;
    // Several nodes may serve one PostgreSQL database: they share one count per key.
    api_options.shared_rate_limits = db.dialect() == store::Dialect::kPostgres;
    api_options.node_id = runtime_options.node_id;
    api::Api api(api::ServicesOf(
                     services, dialer_check,
                     {*signing_key, runtime_options.recordings_dir, o.public_url, o.recording_link_seconds},
                     [&db] { return db.Query("SELECT 1").has_value(); },
                     [&runtime] { return calls::RenderMetrics(runtime.Stats()); }),
                 clock, api_options);
    if (auto released = api.ReleaseUnfinishedClaims(); !released) {
        return Die(released.error().message);
    } else if (*released > 0) {
        spdlog::info("released {} Idempotency-Key claims left unfinished when this node last stopped", *released);
    }
    http::ServerOptions server_options;
    server_options.host = listen->first;
    server_options.port = listen->second;
    server_options.worker_threads = o.threads;
    server_options.heavy_threads = kHeavyThreads;
    server_options.max_connections = ConnectionCap(http::RaiseOpenFileLimit(), o.max_connections);
    server_options.max_connections_per_address =
        std::min(server_options.max_connections, o.max_connections_per_address);
    server_options.handle_signals = true;
    server_options.route = [&api](std::string_view m, std::string_view t) { return api.Route(m, t); };
    server_options.admit = [&api](http::Request& req) { return api.Admit(req); };
    http::Server server(server_options, [&api](http::Request& req) { return api.Handle(req); });
    auto port = server.Listen();
    if (!port) return Die(port.error().message);

    std::mutex mutex;
    std::condition_variable wake;
    bool done = false;
    std::thread maintenance([&] {
        std::unique_lock lock(mutex);
        while (!wake.wait_for(lock, kMaintenanceEvery, [&] { return done; })) {
            auto purged = storage->store->Write([&](domain::Repos& r) -> Result<void> {
                auto n = r.idempotency().PurgeOlderThan(clock.NowMs() - kIdempotencyKeepMs);
                if (!n) return Fail(std::move(n.error()));
                auto windows = r.rate_limits().PurgeOlderThan(clock.NowMs() - kRateWindowKeepMs);
                if (!windows) return Fail(std::move(windows.error()));
                auto sessions = r.mcp_sessions().PurgeExpiredBefore(clock.NowMs());
                if (!sessions) return Fail(std::move(sessions.error()));
                auto oauth =
                    r.oauth().PurgeExpired(clock.NowMs(), clock.NowMs() - domain::OAuthService::kUnusedClientMs);
                if (!oauth) return Fail(std::move(oauth.error()));
                return {};
            });
            if (!purged)
                spdlog::warn("purging expired idempotency keys, rate windows, MCP sessions and OAuth tokens failed: {}",
                             purged.error().message);
        }
    });

    std::cout << "Parley listening on http://" << listen->first << ":" << *port << std::endl;
    server.Run();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    wake.notify_all();
    maintenance.join();
    dialer.Stop();
    runtime.Stop();
    webhook_worker.Stop();
    spdlog::info("stopped");
    return 0;
}

// The command line, parsed and run.
int Run(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("parley");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    CLI::App cli{"Parley: a self-hosted AI phone-agent platform"};
    cli.require_subcommand(1);
    StorageConfig storage;
    std::string log_level = "info";
    auto add_storage = [&](CLI::App* cmd) {
        cmd->add_option("--data", storage.data_dir, "Data folder (SQLite database, recordings)")
            ->envname("PARLEY_DATA");
        cmd->add_option("--db", storage.db_url, "PostgreSQL URL; SQLite in the data folder when absent")
            ->envname("PARLEY_DB");
        cmd->add_option("--log-level", log_level, "trace, debug, info, warn, error")
            ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    };

    ServeOptions serve_options;
    auto* serve = cli.add_subcommand("serve", "Run the API server");
    add_storage(serve);
    serve->add_option("--listen", serve_options.listen, "HOST:PORT to listen on (port 0: any free port)")
        ->envname("PARLEY_LISTEN");
    serve
        ->add_option("--sip-listen", serve_options.sip_listen,
                     "HOST:PORT for SIP over UDP and TCP, e.g. 0.0.0.0:5060; no SIP (calls only through the sandbox) "
                     "when absent")
        ->envname("PARLEY_SIP_LISTEN");
    serve
        ->add_option("--sip-advertise", serve_options.sip_advertise,
                     "The address peers reach this node's SIP and RTP at, when it is behind NAT")
        ->envname("PARLEY_SIP_ADVERTISE");
    serve->add_option("--rtp-ports", serve_options.rtp_ports, "FIRST-LAST: the UDP ports calls' RTP takes")
        ->envname("PARLEY_RTP_PORTS");
    serve
        ->add_option("--sip-tls-port", serve_options.sip_tls_port,
                     "PORT for SIP over TLS on the --sip-listen address, e.g. 5061; needs --sip-tls-cert")
        ->envname("PARLEY_SIP_TLS_PORT");
    serve
        ->add_option("--sip-tls-cert", serve_options.sip_tls_cert,
                     "PEM file with this node's certificate chain and its unencrypted private key, for SIP over TLS")
        ->envname("PARLEY_SIP_TLS_CERT");
    serve
        ->add_option("--sip-tls-ca", serve_options.sip_tls_ca,
                     "PEM bundle of the authorities carriers' TLS certificates are checked against (default: the "
                     "system's, /etc/ssl/certs/ca-certificates.crt)")
        ->envname("PARLEY_SIP_TLS_CA");
    serve->add_option("--threads", serve_options.threads, "Request threads")->envname("PARLEY_THREADS");
    serve
        ->add_option("--max-connections", serve_options.max_connections,
                     "Open connections served at once (also kept below the open-file limit); more are answered 503")
        ->envname("PARLEY_MAX_CONNECTIONS")
        ->check(CLI::Range(size_t{16}, size_t{1'000'000}));
    serve
        ->add_option("--max-connections-per-address", serve_options.max_connections_per_address,
                     "Open connections from one client address; more are answered 503")
        ->envname("PARLEY_MAX_CONNECTIONS_PER_ADDRESS")
        ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
    serve
        ->add_option("--default-region", serve_options.region,
                     "Region for phone numbers written without a country code")
        ->envname("PARLEY_DEFAULT_REGION");
    serve->add_option("--org-name", serve_options.org_name, "Name of the organization made on first start");
    serve
        ->add_option("--key-cache-seconds", serve_options.key_cache_seconds,
                     "How long a checked API key is trusted before the database is asked again; a key revoked "
                     "by another process stops working within this time")
        ->envname("PARLEY_KEY_CACHE_SECONDS")
        ->check(CLI::Range(0.0, 3600.0));
    serve
        ->add_option("--sandbox-speed", serve_options.sandbox_speed,
                     "Run sandbox calls this many times faster than real time (1: real time; 0: as fast as the "
                     "engines allow)")
        ->envname("PARLEY_SANDBOX_SPEED");
    serve
        ->add_option("--sandbox-numbers", serve_options.sandbox_numbers,
                     "Numbers the sandbox answers: fictional (+1 NPA 555-0100 to 555-0199) or any-nanp (every "
                     "+1 NPA NXX XXXX, for load tests with more contacts; the last two digits still pick the "
                     "person)")
        ->envname("PARLEY_SANDBOX_NUMBERS")
        ->check(CLI::IsMember({"fictional", "any-nanp"}));
    serve
        ->add_option("--engines", serve_options.engines_file,
                     "JSON file of OpenAI-compatible endpoints and the price table (docs/voice.md)")
        ->envname("PARLEY_ENGINES");
    serve
        ->add_option("--max-calls", serve_options.max_calls,
                     "Calls this node runs at once; more wait queued. auto: 150 per core")
        ->envname("PARLEY_MAX_CALLS");
    serve
        ->add_option("--max-local-calls", serve_options.max_local_calls,
                     "Of those, calls recognized by the embedded recognizer; more wait queued. auto: 6 per "
                     "speech worker with a core of its own")
        ->envname("PARLEY_MAX_LOCAL_CALLS");
    serve->add_option("--speech-workers", serve_options.speech_workers, "Threads for speech recognition and synthesis")
        ->envname("PARLEY_SPEECH_WORKERS");
    serve
        ->add_option("--node-id", serve_options.node_id,
                     "This node's name; a restarted node fails the calls it was running under the same name")
        ->envname("PARLEY_NODE_ID");
    serve->add_option("--caller-id", serve_options.caller_id, "The number calls are placed from")
        ->envname("PARLEY_CALLER_ID");
    serve
        ->add_option("--public-url", serve_options.public_url,
                     "Base URL of recording links, e.g. https://parley.example.com (default: the request's Host)")
        ->envname("PARLEY_PUBLIC_URL");
    serve
        ->add_option("--recording-link-seconds", serve_options.recording_link_seconds,
                     "How long a recording link works after it is handed out, in seconds (at most 604800, a week)")
        ->envname("PARLEY_RECORDING_LINK_SECONDS")
        ->check(CLI::Range(int64_t{1}, api::kMaxRecordingLinkSeconds));
    serve
        ->add_flag("--allow-private-webhooks", serve_options.allow_private_webhooks,
                   "Let webhooks go to loopback, private and link-local addresses (refused by default)")
        ->envname("PARLEY_ALLOW_PRIVATE_WEBHOOKS");

    auto* migrate = cli.add_subcommand("migrate", "Bring the database schema up to date");
    add_storage(migrate);

    auto* secrets = cli.add_subcommand("secrets", "The master key that seals stored secrets");
    secrets->require_subcommand(1);
    auto* secrets_rotate = secrets->add_subcommand(
        "rotate", "Seal every stored secret with a new master key (with PARLEY_MASTER_KEY: with its first key)");
    add_storage(secrets_rotate);

    auto* org = cli.add_subcommand("org", "Organizations");
    org->require_subcommand(1);
    auto* org_create = org->add_subcommand("create", "Create an organization and print its owner API key");
    add_storage(org_create);
    std::string org_name;
    std::string tier_name = "standard";
    org_create->add_option("--name", org_name, "Organization name")->required();
    org_create->add_option("--tier", tier_name, "Rate-limit tier")
        ->check(CLI::IsMember({"standard", "professional", "enterprise"}));

    auto* key = cli.add_subcommand("key", "API keys");
    key->require_subcommand(1);
    std::string key_org, key_name, key_mode = "live", key_permission = "full", key_role = "member", key_id;
    auto* key_create = key->add_subcommand("create", "Create an API key and print it (shown only once)");
    add_storage(key_create);
    key_create->add_option("--org", key_org, "Organization id")->required();
    key_create->add_option("--name", key_name, "Key name")->required();
    key_create->add_option("--mode", key_mode)->check(CLI::IsMember({"live", "test"}));
    key_create->add_option("--permission", key_permission)->check(CLI::IsMember({"full", "read_only", "write_only"}));
    key_create->add_option("--role", key_role)->check(CLI::IsMember({"owner", "admin", "member"}));
    auto* key_list = key->add_subcommand("list", "List an organization's keys (prefixes only)");
    add_storage(key_list);
    key_list->add_option("--org", key_org, "Organization id")->required();
    auto* key_revoke = key->add_subcommand("revoke", "Revoke a key");
    add_storage(key_revoke);
    key_revoke->add_option("--org", key_org, "Organization id")->required();
    key_revoke->add_option("key_id", key_id, "Key id (key_…)")->required();

    auto* login_link = cli.add_subcommand(
        "login-link", "Print a one-time link that signs a browser in on the OAuth consent page (15 minutes)");
    add_storage(login_link);
    std::string link_org, link_key, link_url = "http://127.0.0.1:8080";
    login_link->add_option("--org", link_org, "Organization id")->required();
    login_link->add_option("--key", link_key, "The owner or admin key it signs in as (default: the oldest owner key)");
    login_link->add_option("--url", link_url, "The server's public base URL")->envname("PARLEY_PUBLIC_URL");

    auto* mcp = cli.add_subcommand("mcp", "MCP for local clients: relays a client's messages to a Parley server");
    app::StdioOptions stdio_options{"http://127.0.0.1:8080", ""};
    bool mcp_stdio = false;
    mcp->add_flag("--stdio", mcp_stdio, "Speak MCP over standard input and output, as clients that start servers do")
        ->required();
    mcp->add_option("--url", stdio_options.url, "The Parley server (its /mcp endpoint is used)")->envname("PARLEY_URL");

    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::from_str(log_level));

    if (serve->parsed()) return Serve(storage, serve_options);
    if (mcp->parsed()) {
        // From the environment only: a command line is visible to every user of the machine.
        const char* key = std::getenv("PARLEY_API_KEY");
        if (key == nullptr || *key == '\0') return Die("mcp --stdio needs an API key in PARLEY_API_KEY");
        stdio_options.key = key;
        return app::RunMcpStdio(stdio_options, std::cin, std::cout);
    }

    auto opened = OpenStorage(storage, 2);
    if (!opened) return Die(opened.error().message);
    SystemClock clock;
    domain::KeyService keys(*opened->store, clock);

    if (secrets_rotate->parsed()) {
        if (!MasterKeyFromEnv()) {
            // The new key goes beside the old one first, so a crash at any point leaves a keyring
            // that opens every secret; the next start or rotation finishes the job.
            const auto next = std::filesystem::path(storage.data_dir) / kNextMasterKeyFile;
            if (auto made = WriteNewKeyFile(next); !made && made.error().code != ErrorCode::kDuplicate) {
                return Die(made.error().message);
            }
        }
        auto box = MasterKeys(storage);
        if (!box) return Die(box.error().message);
        auto sealed = SealSecrets(*opened->db, *box, storage);
        if (!sealed) return Die(sealed.error().message);
        PrintJson({{"master_key", box->SealingPrefix().substr(3, 8)}, {"secrets_sealed", *sealed}});
        return 0;
    }
    if (migrate->parsed()) {
        std::cout << "schema at version " << store::LatestSchemaVersion() << "\n";
        return 0;
    }
    if (org_create->parsed()) {
        auto created = keys.CreateOrganization(org_name, *domain::ParseTier(tier_name));
        if (!created) return Die(created.error().message);
        PrintJson({{"organization_id", created->first.id},
                   {"name", created->first.name},
                   {"tier", tier_name},
                   {"api_key", created->second.secret},
                   {"key_id", created->second.key.id}});
        return 0;
    }
    if (key_create->parsed()) {
        domain::KeyRequest request{key_name, *domain::ParseKeyMode(key_mode), *domain::ParsePermission(key_permission),
                                   *domain::ParseRole(key_role)};
        if (request.mode == domain::KeyMode::kTest && key_permission == "full") {
            request.permission = domain::Permission::kReadOnly;
        }
        auto created = keys.CreateKey(key_org, request);
        if (!created) return Die(created.error().message);
        PrintJson(domain::ToJson(*created));
        return 0;
    }
    if (key_list->parsed()) {
        Json all = Json::array();
        domain::PageRequest page{domain::kMaxPageLimit, std::nullopt};
        for (;;) {
            auto listed = keys.List(key_org, page);
            if (!listed) return Die(listed.error().message);
            for (const auto& k : listed->items) all.push_back(domain::ToJson(k));
            if (!listed->has_more) break;
            page.after_id = listed->items.back().id;
        }
        PrintJson(all);
        return 0;
    }
    if (login_link->parsed()) {
        domain::OAuthService oauth(*opened->store, clock);
        auto link = oauth.CreateSignInLink(link_org, link_key);
        if (!link) return Die(link.error().message);
        while (link_url.ends_with('/')) link_url.pop_back();
        PrintJson({{"url", link_url + "/oauth/sign-in?token=" + link->first},
                   {"key_id", link->second.id},
                   {"key_name", link->second.name},
                   {"expires_at", FormatIsoTime(clock.NowMs() + domain::OAuthService::kSignInLinkMs)}});
        return 0;
    }
    if (key_revoke->parsed()) {
        auto revoked = keys.Revoke(key_org, key_id);
        if (!revoked) return Die(revoked.error().message);
        PrintJson(domain::ToJson(*revoked));
        return 0;
    }
    return 0;
}

}  // namespace
}  // namespace parley::app

int main(int argc, char** argv) {
    try {
        return parley::app::Run(argc, argv);
    } catch (const std::exception& e) {  // a bug: everything expected is an error value
        std::cerr << "parley: " << e.what() << "\n";
        return 70;
    } catch (...) {
        std::cerr << "parley: stopped by an unknown exception\n";
        return 70;
    }
}
