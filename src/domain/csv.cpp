#include "domain/csv.hpp"

#include "common/text.hpp"

namespace parley::domain {

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, size_t max_records) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (!IsValidUtf8(text)) return Fail(ErrorCode::kValidation, "CSV is not valid UTF-8");
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool in_quotes = false;
    bool field_was_quoted = false;
    size_t line = 1;
    size_t quote_line = 0;

    auto end_record = [&]() -> bool {
        const bool blank = record.empty() && field.empty() && !field_was_quoted;
        record.push_back(std::move(field));
        field.clear();
        field_was_quoted = false;
        if (!blank) {
            if (records.size() >= max_records) return false;
            records.push_back(std::move(record));
        }
        record.clear();
        return true;
    };

    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field.push_back('"');
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                if (c == '\n') ++line;
                field.push_back(c);
            }
            continue;
        }
        if (c == '"' && field.empty() && !field_was_quoted) {
            in_quotes = true;
            field_was_quoted = true;
            quote_line = line;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            field_was_quoted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++line;
            if (!end_record()) {
                return Fail(ErrorCode::kValidation,
                            "CSV has more than " + std::to_string(max_records - 1) + " data rows");
            }
        } else {
            field.push_back(c);
        }
    }
    if (in_quotes) {
        return Fail(ErrorCode::kValidation,
                    "CSV has a quoted field that never ends (opened on line " + std::to_string(quote_line) + ")");
    }
    if (!field.empty() || !record.empty() || field_was_quoted) {
        if (!end_record()) {
            return Fail(ErrorCode::kValidation, "CSV has more than " + std::to_string(max_records - 1) + " data rows");
        }
    }
    return records;
}

}  // namespace parley::domain
