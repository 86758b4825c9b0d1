#include "common/secret_box.hpp"

#include <openssl/evp.h>

#include <memory>

#include "common/crypto.hpp"

namespace parley {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kAad = "parley stored secret v1";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string KeyId(std::string_view key) {
    return Sha256Hex(key).substr(0, 8);
}

const unsigned char* Bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

SecretBox::SecretBox(std::vector<std::string> keys) : keys_(std::move(keys)) {
    for (const auto& k : keys_) ids_.push_back(KeyId(k));
    prefix_ = "v1:" + ids_.front() + ":";
}

Result<SecretBox> SecretBox::FromKeys(std::vector<std::string> keys) {
    if (keys.empty()) return Fail(ErrorCode::kValidation, "a master key is needed");
    for (const auto& k : keys) {
        if (k.size() != kKeyBytes) {
            return Fail(ErrorCode::kValidation, "a master key is " + std::to_string(kKeyBytes) + " bytes");
        }
    }
    return SecretBox(std::move(keys));
}

Result<SecretBox> SecretBox::FromHex(std::string_view text) {
    std::vector<std::string> keys;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view hex = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ' || hex.back() == '\r')) hex.remove_suffix(1);
        while (!hex.empty() && hex.front() == ' ') hex.remove_prefix(1);
        if (hex.size() != kKeyBytes * 2) {
            return Fail(ErrorCode::kValidation, "a master key is " + std::to_string(kKeyBytes * 2) + " hex digits");
        }
        std::string key(kKeyBytes, '\0');
        for (size_t i = 0; i < kKeyBytes; ++i) {
            const int hi = HexDigit(hex[2 * i]);
            const int lo = HexDigit(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) return Fail(ErrorCode::kValidation, "a master key is written in hex digits");
            key[i] = static_cast<char>(hi * 16 + lo);
        }
        keys.push_back(std::move(key));
    }
    return FromKeys(std::move(keys));
}

std::string SecretBox::NewHexKey() {
    std::string key(kKeyBytes, '\0');
    RandomBytes(reinterpret_cast<uint8_t*>(key.data()), key.size());
    return HexEncode(key);
}

const SecretBox& SecretBox::Ephemeral() {
    static const SecretBox box = *FromHex(NewHexKey());
    return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
    std::string nonce(kNonceBytes, '\0');
    RandomBytes(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size());
    std::string out = nonce;
    out.resize(kNonceBytes + plaintext.size() + kTagBytes);
    auto* cipher_text = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int n = 0;
    int total = 0;
    // Failures here are the library's (out of memory): nothing can be stored safely without it.
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(keys_.front()), Bytes(nonce)) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(kAad), static_cast<int>(kAad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), cipher_text, &n, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
        std::abort();
    }
    total = n;
    if (EVP_EncryptFinal_ex(ctx.get(), cipher_text + total, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher_text + plaintext.size()) != 1) {
        std::abort();
    }
    return prefix_ + Base64UrlEncode(out);
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
    if (!IsSealed(sealed) || sealed.size() < 3 + 8 + 1 || sealed[11] != ':') {
        return Fail(ErrorCode::kInternal, "a stored secret is not sealed");
    }
    const std::string_view id = sealed.substr(3, 8);
    size_t k = 0;
    while (k < ids_.size() && ids_[k] != id) ++k;
    if (k == ids_.size()) {
        return Fail(ErrorCode::kInternal,
                    "a stored secret is sealed with master key " + std::string(id) + ", which is not in the keyring");
    }
    auto raw = Base64UrlDecode(sealed.substr(12));
    if (!raw || raw->size() < kNonceBytes + kTagBytes) {
        return Fail(ErrorCode::kInternal, "a stored secret is damaged");
    }
    const size_t length = raw->size() - kNonceBytes - kTagBytes;
    const auto* nonce = Bytes(*raw);
    const auto* cipher_text = nonce + kNonceBytes;
    std::string tag = raw->substr(kNonceBytes + length);
    std::string out(length, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int n = 0;
    const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
                    EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(keys_[k]), nonce) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(kAad), static_cast<int>(kAad.size())) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, cipher_text,
                                      static_cast<int>(length)) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
                    EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &n) == 1;
    if (!ok) return Fail(ErrorCode::kInternal, "a stored secret does not open with its master key (altered?)");
    return out;
}

}  // namespace parley
