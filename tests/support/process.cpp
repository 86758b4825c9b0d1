#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace parley::testing {

Process::Process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, bool merge_stderr) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
    for (const auto& e : extra_env) env_storage.push_back(e);
    std::vector<char*> env;
    for (auto& e : env_storage) env.push_back(e.data());
    env.push_back(nullptr);
    int status_fds[2];  // carries errno from a failed exec; closes on a successful one
    if (pipe2(status_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
        // The child dies with the test: a test that aborts must not leave servers behind that
        // hold the test runner's output pipe open. Only async-signal-safe calls from here on.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        if (merge_stderr) dup2(fds[1], STDERR_FILENO);
        execve(args[0], args.data(), env.data());
        const int err = errno;
        (void)!write(status_fds[1], &err, sizeof err);
        _exit(127);
    }
    close(fds[1]);
    close(status_fds[1]);
    int exec_errno = 0;
    const bool exec_failed = pid_ > 0 && read(status_fds[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
    close(status_fds[0]);
    if (pid_ < 0 || exec_failed) {
        const int rc = pid_ < 0 ? errno : exec_errno;
        if (pid_ > 0) waitpid(pid_, nullptr, 0);
        close(fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    stdout_fd_ = fds[0];
}

Process::~Process() {
    if (!waited_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        Wait();
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::optional<std::string> Process::WaitForLine(const std::regex& pattern, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        size_t newline;
        while ((newline = pending_.find('\n')) != std::string::npos) {
            std::string line = pending_.substr(0, newline);
            pending_.erase(0, newline + 1);
            std::smatch m;
            if (std::regex_search(line, m, pattern)) return m.size() > 1 ? m[1].str() : line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{stdout_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = read(stdout_fd_, buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        output_.append(buf, static_cast<size_t>(n));
        pending_.append(buf, static_cast<size_t>(n));
    }
}

void Process::Signal(int signal) {
    if (!waited_) kill(pid_, signal);
}

int Process::Wait() {
    if (waited_) return exit_code_;
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
}

void Process::ReadToEnd(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        pollfd p{stdout_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = read(stdout_fd_, buf, sizeof buf);
        if (n <= 0) return;
        output_.append(buf, static_cast<size_t>(n));
        pending_.append(buf, static_cast<size_t>(n));
    }
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& extra_env) {
    Process p(argv, extra_env, true);
    p.ReadToEnd(std::chrono::seconds(60));
    const int code = p.Wait();
    return {code, p.output()};
}

}  // namespace parley::testing
