#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace parley::testing {

// A child process whose standard output is read through a pipe. Killed (SIGKILL) when
// destroyed unless it has been waited for.
class Process {
public:
    // With `merge_stderr`, standard error goes into the same pipe; otherwise it is inherited.
    Process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
            bool merge_stderr = false);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Reads standard output until a line matches `pattern` or `timeout` passes; returns the
    // first capture group (or the whole line when there is none).
    std::optional<std::string> WaitForLine(const std::regex& pattern, std::chrono::milliseconds timeout);
    // Reads standard output until the process closes it (or `timeout` passes).
    void ReadToEnd(std::chrono::milliseconds timeout);
    void Signal(int signal);
    // Waits for the process to end; returns its exit code (128 + signal when killed).
    int Wait();
    std::string output() const { return output_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    bool waited_ = false;
    int exit_code_ = 0;
    std::string output_;
    std::string pending_;
};

// Runs a command to its end and returns {exit code, standard output and error}.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& extra_env = {});

}  // namespace parley::testing
