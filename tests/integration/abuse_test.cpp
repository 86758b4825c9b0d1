#include <signal.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "support/fixture.hpp"
#include "support/raw_connection.hpp"

namespace parley::testing {
namespace {

using std::chrono::milliseconds;

// What hostile clients do at once, for a few seconds: headers sent a byte at a time, an idle
// flood past the connection caps, 64 MiB uploads without a key, objects of 80,000 keys, and a
// large import in flight.
// /healthz keeps answering throughout; the time of each answer is printed (docs/benchmarks.md
// records it), and only an answer that never comes fails the test.
TEST(Abuse, HealthKeepsAnsweringThroughSlowHeadersFloodsKeylessUploadsAndAHeavyImport) {
    ParleyServer server(Backend::kSqlite, {"--max-connections", "200", "--max-connections-per-address", "32"});
    server.Start();
    const auto org = server.CreateOrg();
    const uint16_t port = server.http().port();
    std::atomic<bool> done{false};
    std::atomic<int> refused_uploads{0};
    int import_status = 0;
    std::vector<std::thread> clients;

    clients.emplace_back([&] {  // slow headers
        std::vector<RawConnection> slow;
        for (int i = 0; i < 8; ++i) slow.emplace_back("127.0.0.5", port);
        const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        for (size_t i = 0; !done; ++i) {
            for (auto& c : slow) c.Send(std::string(1, head[i % head.size()]));
            std::this_thread::sleep_for(milliseconds(100));  // pacing: the slowness is the attack
        }
    });
    clients.emplace_back([&] {  // an idle flood, twice the per-address cap
        std::vector<RawConnection> idle;
        for (int i = 0; i < 64 && !done; ++i) idle.emplace_back("127.0.0.6", port);
        while (!done) std::this_thread::sleep_for(milliseconds(50));  // holds them open until the end
    });
    clients.emplace_back([&] {  // uploads without a key, one after another
        const std::string chunk(64 * 1024, 'x');
        while (!done) {
            RawConnection c("127.0.0.7", port);
            c.Send(
                "POST /api/v1/contacts/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                "Content-Length: 67108864\r\n\r\n");
            for (int k = 0; k < 64 && !done && c.Send(chunk); ++k) {
            }
            if (c.ReadUntil("\r\n\r\n", milliseconds(2000)).starts_with("HTTP/1.1 401")) ++refused_uploads;
        }
    });
    std::atomic<int> refused_objects{0};
    clients.emplace_back([&] {  // objects of 80,000 keys, which took 10 s each to parse
        std::string huge = R"({"phone": "+12025550152", "custom_fields": {)";
        for (int i = 0; i < 80'000; ++i) huge += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
        huge += "}}";
        const auto client = server.Client(org.key);
        while (!done) {
            if (client.Send("POST", "/api/v1/contacts", huge).status == 400) ++refused_objects;
        }
    });
    clients.emplace_back([&] {  // a heavy import by a real key
        std::string csv = "phone,first_name,company\n";
        for (int i = 0; i < 50'000; ++i) csv += "+1505" + std::to_string(2'000'000 + i) + ",Row,Acme\n";
        import_status = server.http()
                            .Send("POST", "/api/v1/contacts/import", csv,
                                  {{"Authorization", "Bearer " + org.key}, {"Content-Type", "text/csv"}})
                            .status;
    });

    std::vector<int64_t> micros;
    int unanswered = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (std::chrono::steady_clock::now() < until) {
        if (auto t = TimedHealthCheck("127.0.0.1", port, milliseconds(5000))) {
            micros.push_back(t->count());
        } else {
            ++unanswered;
        }
        std::this_thread::sleep_for(milliseconds(20));  // pacing of the probes, not a wait for a condition
    }
    done = true;
    for (auto& c : clients) c.join();

    EXPECT_EQ(unanswered, 0);
    ASSERT_GE(micros.size(), 20u);
    std::sort(micros.begin(), micros.end());
    std::cout << "abuse: /healthz answered " << micros.size() << " times, median " << micros[micros.size() / 2]
              << " us, p99 " << micros[micros.size() * 99 / 100] << " us, max " << micros.back() << " us" << std::endl;
    EXPECT_GT(refused_uploads.load(), 0);
    EXPECT_GT(refused_objects.load(), 0);
    EXPECT_EQ(import_status, 200);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parley::testing
