#include "audio/wav.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "audio/resampler.hpp"

namespace parley::audio {
namespace {

// Longest audio accepted when reading: one hour at 48 kHz stereo is far beyond any call part.
constexpr sf_count_t kMaxFrames = sf_count_t{48000} * 3600;

struct SndfileCloser {
    void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string ErrnoText() {
    return std::strerror(errno);
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

Result<Pcm> ReadMono8k(SNDFILE* file, const SF_INFO& info, std::string_view what) {
    if (info.channels <= 0 || info.samplerate <= 0) {
        return Fail(ErrorCode::kValidation, std::string(what) + ": not an audio file");
    }
    // Read in chunks: some formats do not know their length up front.
    constexpr sf_count_t kChunkFrames = 4096;
    const auto channels = static_cast<size_t>(info.channels);
    std::vector<int16_t> chunk(static_cast<size_t>(kChunkFrames) * channels);
    Pcm mono;
    for (;;) {
        const sf_count_t read = sf_readf_short(file, chunk.data(), kChunkFrames);
        if (read < 0) return Fail(ErrorCode::kValidation, std::string(what) + ": unreadable audio");
        if (read == 0) break;
        for (size_t i = 0; i < static_cast<size_t>(read); ++i) {
            int sum = 0;
            for (size_t c = 0; c < channels; ++c) sum += chunk[i * channels + c];
            mono.push_back(static_cast<int16_t>(sum / static_cast<int>(channels)));
        }
        if (static_cast<sf_count_t>(mono.size()) > kMaxFrames) {
            return Fail(ErrorCode::kValidation, std::string(what) + ": audio too long");
        }
    }
    return Resample(mono, info.samplerate, kSampleRate);
}

// A read-only libsndfile virtual file over a memory buffer.
struct MemoryFile {
    std::string_view bytes;
    sf_count_t position = 0;
};

sf_count_t MemLength(void* user) {
    return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size());
}

sf_count_t MemSeek(sf_count_t offset, int whence, void* user) {
    auto* mem = static_cast<MemoryFile*>(user);
    const auto size = static_cast<sf_count_t>(mem->bytes.size());
    sf_count_t target = offset;
    if (whence == SEEK_CUR) target = mem->position + offset;
    if (whence == SEEK_END) target = size + offset;
    mem->position = std::clamp<sf_count_t>(target, 0, size);
    return mem->position;
}

sf_count_t MemRead(void* ptr, sf_count_t count, void* user) {
    auto* mem = static_cast<MemoryFile*>(user);
    const auto size = static_cast<sf_count_t>(mem->bytes.size());
    const sf_count_t n = std::clamp<sf_count_t>(count, 0, size - mem->position);
    std::memcpy(ptr, mem->bytes.data() + mem->position, static_cast<size_t>(n));
    mem->position += n;
    return n;
}

sf_count_t MemWrite(const void*, sf_count_t, void*) {
    return 0;
}

sf_count_t MemTell(void* user) {
    return static_cast<MemoryFile*>(user)->position;
}

void PutLe(std::string& out, uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

Result<void> WriteWav(const std::string& path, std::span<const int16_t> left, std::span<const int16_t> right) {
    const std::string tmp = path + ".tmp";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return Fail(ErrorCode::kInternal, "cannot create " + tmp + ": " + ErrnoText());

    SF_INFO info{};
    info.samplerate = kSampleRate;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    auto fail = [&](std::string message) {
        ::unlink(tmp.c_str());
        return Fail(ErrorCode::kInternal, std::move(message));
    };
    {
        SndfilePtr file(sf_open_fd(fd.get(), SFM_WRITE, &info, SF_FALSE));
        if (!file) return fail("cannot write " + tmp + ": " + sf_strerror(nullptr));

        constexpr size_t kChunkFrames = 4096;
        std::vector<int16_t> interleaved(kChunkFrames * 2);
        const size_t frames = std::max(left.size(), right.size());
        for (size_t start = 0; start < frames; start += kChunkFrames) {
            const size_t n = std::min(kChunkFrames, frames - start);
            for (size_t i = 0; i < n; ++i) {
                const size_t at = start + i;
                interleaved[2 * i] = at < left.size() ? left[at] : int16_t{0};
                interleaved[2 * i + 1] = at < right.size() ? right[at] : int16_t{0};
            }
            if (sf_writef_short(file.get(), interleaved.data(), static_cast<sf_count_t>(n)) !=
                static_cast<sf_count_t>(n)) {
                return fail("cannot write " + tmp + ": " + sf_strerror(file.get()));
            }
        }
    }  // sf_close writes the final header sizes
    if (::fsync(fd.get()) != 0) return fail("cannot flush " + tmp + ": " + ErrnoText());
    if (::close(fd.release()) != 0) return fail("cannot close " + tmp + ": " + ErrnoText());
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + ": " + ErrnoText());
    return {};
}

Result<Pcm> ReadWavMono8k(const std::string& path) {
    SF_INFO info{};
    SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
    if (!file) return Fail(ErrorCode::kValidation, "cannot read " + path + ": " + sf_strerror(nullptr));
    return ReadMono8k(file.get(), info, path);
}

Result<Pcm> DecodeAudioMono8k(std::string_view bytes) {
    MemoryFile mem{bytes};
    SF_VIRTUAL_IO io{MemLength, MemSeek, MemRead, MemWrite, MemTell};
    SF_INFO info{};
    SndfilePtr file(sf_open_virtual(&io, SFM_READ, &info, &mem));
    if (!file) return Fail(ErrorCode::kValidation, std::string("cannot decode audio: ") + sf_strerror(nullptr));
    return ReadMono8k(file.get(), info, "audio");
}

std::string EncodeWav(std::span<const int16_t> mono, int rate) {
    const auto data_bytes = static_cast<uint32_t>(mono.size() * sizeof(int16_t));
    std::string out;
    out.reserve(44 + data_bytes);
    out += "RIFF";
    PutLe(out, 36 + data_bytes, 4);
    out += "WAVEfmt ";
    PutLe(out, 16, 4);                               // fmt chunk size
    PutLe(out, 1, 2);                                // PCM
    PutLe(out, 1, 2);                                // channels
    PutLe(out, static_cast<uint32_t>(rate), 4);      // sample rate
    PutLe(out, static_cast<uint32_t>(rate) * 2, 4);  // byte rate
    PutLe(out, 2, 2);                                // block align
    PutLe(out, 16, 2);                               // bits per sample
    out += "data";
    PutLe(out, data_bytes, 4);
    for (const int16_t s : mono) PutLe(out, static_cast<uint16_t>(s), 2);
    return out;
}

}  // namespace parley::audio
