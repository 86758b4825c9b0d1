#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace parley {

// Seals the secrets Parley stores (webhook signing secrets, the call signing secret, the
// recording-link key) with AES-256-GCM under a master key, and opens them again.
//
// A sealed value is "v1:<key id>:<base64url of nonce, ciphertext and tag>"; the key id (the
// first 8 hex digits of the key's SHA-256) says which key of the keyring opens it, so a key can
// be rotated: values are sealed with the first key and opened with any of them.
class SecretBox {
public:
    static constexpr size_t kKeyBytes = 32;

    // A keyring: the first key seals, every key opens. kValidation when it is empty or a key
    // is not kKeyBytes long.
    static Result<SecretBox> FromKeys(std::vector<std::string> keys);
    // A keyring from text: keys of 64 hex digits separated by commas (PARLEY_MASTER_KEY).
    static Result<SecretBox> FromHex(std::string_view text);
    // A new random key, as 64 hex digits.
    static std::string NewHexKey();
    // A keyring of one random key that lives as long as this process: for databases that do not
    // outlive it (tests and benchmarks).
    static const SecretBox& Ephemeral();

    std::string Seal(std::string_view plaintext) const;
    // kInternal when `sealed` is not a sealed value, is sealed under a key not in the keyring,
    // or was altered.
    Result<std::string> Open(std::string_view sealed) const;

    static bool IsSealed(std::string_view value) { return value.starts_with("v1:"); }
    // The prefix of values sealed with the first key: "v1:<key id>:".
    const std::string& SealingPrefix() const { return prefix_; }

private:
    explicit SecretBox(std::vector<std::string> keys);

    std::vector<std::string> keys_;
    std::vector<std::string> ids_;
    std::string prefix_;
};

}  // namespace parley
