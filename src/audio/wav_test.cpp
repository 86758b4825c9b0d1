#include "audio/wav.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <filesystem>

#include "audio/audio.hpp"

namespace parley::audio {
namespace {

Pcm Ramp(size_t n, int step) {
    Pcm out(n);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>((static_cast<int>(i) * step) % 20000 - 10000);
    return out;
}

std::string TempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("parley_wav_test_" + std::to_string(::getpid()) + name)).string();
}

TEST(Wav, WritesStereoEightKilohertzWithTheShorterSidePaddedAndNoTempFileLeft) {
    const std::string path = TempPath("stereo.wav");
    const Pcm left = Ramp(8000, 7);
    const Pcm right = Ramp(4000, 3);
    ASSERT_TRUE(WriteWav(path, left, right));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(info.samplerate, 8000);
    EXPECT_EQ(info.channels, 2);
    EXPECT_EQ(info.frames, 8000);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    std::vector<int16_t> frames(16000);
    ASSERT_EQ(sf_readf_short(file, frames.data(), 8000), 8000);
    sf_close(file);
    for (size_t i = 0; i < 8000; ++i) {
        ASSERT_EQ(frames[2 * i], left[i]) << i;
        ASSERT_EQ(frames[2 * i + 1], i < right.size() ? right[i] : 0) << i;
    }
    std::filesystem::remove(path);
}

TEST(Wav, ReadMixesDownToMono) {
    const std::string path = TempPath("mix.wav");
    const Pcm left(800, 1000);
    const Pcm right(800, 3000);
    ASSERT_TRUE(WriteWav(path, left, right));
    auto mono = ReadWavMono8k(path);
    ASSERT_TRUE(mono) << mono.error().message;
    ASSERT_EQ(mono->size(), 800u);
    EXPECT_EQ((*mono)[400], 2000);
    std::filesystem::remove(path);
}

TEST(Wav, ReplacesAnExistingFile) {
    const std::string path = TempPath("replace.wav");
    ASSERT_TRUE(WriteWav(path, Ramp(8000, 5), {}));
    ASSERT_TRUE(WriteWav(path, Ramp(800, 5), {}));
    auto mono = ReadWavMono8k(path);
    ASSERT_TRUE(mono);
    EXPECT_EQ(mono->size(), 800u);
    std::filesystem::remove(path);
}

TEST(Wav, WritingIntoAMissingFolderIsAnError) {
    auto result = WriteWav("/nonexistent-folder/x.wav", Ramp(10, 1), {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInternal);
}

TEST(Wav, ReadingAMissingOrBogusFileIsAValidationError) {
    auto missing = ReadWavMono8k("/nonexistent-folder/x.wav");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kValidation);
    auto bogus = DecodeAudioMono8k("this is not audio at all, just text");
    ASSERT_FALSE(bogus);
    EXPECT_EQ(bogus.error().code, ErrorCode::kValidation);
}

TEST(Wav, EncodedWavDecodesBackAndOtherRatesAreResampled) {
    const Pcm pcm = Ramp(1600, 11);
    const std::string bytes = EncodeWav(pcm, kSampleRate);
    EXPECT_EQ(bytes.size(), 44 + 2 * pcm.size());
    EXPECT_EQ(bytes.substr(0, 4), "RIFF");
    auto decoded = DecodeAudioMono8k(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, pcm);

    auto from_16k = DecodeAudioMono8k(EncodeWav(Pcm(16000, 0), 16000));
    ASSERT_TRUE(from_16k);
    EXPECT_EQ(from_16k->size(), 8000u);
}

}  // namespace
}  // namespace parley::audio
