#include "domain/report_service.hpp"

#include <algorithm>
#include <array>

#include "common/ids.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxReportNameBytes = 200;
constexpr size_t kMaxReportDescriptionBytes = 2000;
// The fields that say which days or instants; the time zone is kept unless one is given.
constexpr std::array<std::string_view, 5> kDateFields = {"date_range", "date_from", "date_to", "since", "until"};
constexpr std::array<std::string_view, 3> kQueryFields = {"metrics", "group_by", "filters"};

bool IsDateField(std::string_view key) {
    return std::find(kDateFields.begin(), kDateFields.end(), key) != kDateFields.end();
}

// The definition and the name and description of `body` checked together, every problem at once;
// `report` is changed only when all is well.
Result<void> Apply(const Json& body, bool creating, int64_t now, SavedReport& report) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker check;
    check.RejectUnknownKeys(body, {"name", "description", "metrics", "group_by", "filters", "date_range", "date_from",
                                   "date_to", "since", "until", "timezone"});
    SavedReport next = report;
    if (creating || body.contains("name")) {
        if (auto name = check.String(body, "name", kMaxReportNameBytes, true)) {
            if (name->empty()) check.Add("name", "must not be empty");
            next.name = *name;
        }
    }
    if (body.contains("description")) {
        if (auto d = check.String(body, "description", kMaxReportDescriptionBytes, false, true)) next.description = *d;
    }
    // New dates replace the old ones whole: since alone must not keep an old date_range.
    bool new_period = false;
    for (const auto& item : body.items()) new_period = new_period || IsDateField(item.key());
    if (new_period) {
        for (auto key : kDateFields) next.definition.erase(std::string(key));
    }
    for (const auto& [key, value] : body.items()) {
        if (key == "name" || key == "description" ||
            (!IsDateField(key) && key != "timezone" &&
             std::find(kQueryFields.begin(), kQueryFields.end(), key) == kQueryFields.end())) {
            continue;
        }
        if (value.is_null()) {
            next.definition.erase(key);
        } else {
            next.definition[key] = value;
        }
    }
    auto query = ParseAnalyticsQuery(next.definition, now);
    if (!query) {
        for (auto& d : query.error().details) check.errors().push_back(std::move(d));
        if (query.error().details.empty()) check.Add("definition", query.error().message);
    }
    if (!check.ok()) return Fail(check.ToError("report is not valid"));
    report = std::move(next);
    return {};
}

Error DuplicateName(const std::string& name) {
    return Error{ErrorCode::kDuplicate,
                 "a report named \"" + name + "\" exists",
                 {{"name", "is taken by another report of this organization"}}};
}

Error NotFound(std::string_view id) {
    return Error{ErrorCode::kNotFound, "report " + std::string(id).substr(0, 64) + " not found", {}};
}

// A CSV field: quoted when it holds a comma, a quote or a line break, its quotes doubled.
std::string CsvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        out += c;
        if (c == '"') out += '"';
    }
    return out + "\"";
}

std::string CellText(const Json& value) {
    if (value.is_null()) return "";
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

}  // namespace

Result<SavedReport> ReportService::Create(const Principal& who, const Json& body) {
    const int64_t now = clock_.NowMs();
    SavedReport report;
    if (auto applied = Apply(body, true, now, report); !applied) return Fail(std::move(applied.error()));
    report.org_id = who.org_id;
    report.id = NewId("rpt_", now);
    report.created_at = report.updated_at = now;
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        auto count = r.reports().Count(who.org_id);
        if (!count) return Fail(std::move(count.error()));
        if (*count >= kMaxReports) {
            return Fail(ErrorCode::kUnprocessable,
                        "an organization keeps at most " + std::to_string(kMaxReports) + " reports; delete one first");
        }
        return r.reports().Insert(report);
    });
    if (!saved) {
        if (saved.error().code == ErrorCode::kDuplicate) return Fail(DuplicateName(report.name));
        return Fail(std::move(saved.error()));
    }
    return report;
}

Result<SavedReport> ReportService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.reports().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(NotFound(id));
    return std::move(**found);
}

Result<Page<SavedReport>> ReportService::List(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.reports().List(who.org_id, page); });
}

Result<SavedReport> ReportService::Update(const Principal& who, std::string_view id, const Json& patch) {
    const int64_t now = clock_.NowMs();
    SavedReport report;
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        auto found = r.reports().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(NotFound(id));
        report = std::move(**found);
        if (auto applied = Apply(patch, false, now, report); !applied) return applied;
        report.updated_at = now;
        return r.reports().Update(report);
    });
    if (!saved) {
        if (saved.error().code == ErrorCode::kDuplicate) return Fail(DuplicateName(report.name));
        return Fail(std::move(saved.error()));
    }
    return report;
}

Result<void> ReportService::Delete(const Principal& who, std::string_view id) {
    auto deleted = WriteTx(store_, [&](Repos& r) { return r.reports().Delete(who.org_id, id); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(NotFound(id));
    return {};
}

Result<Json> ReportService::Execute(const Principal& who, std::string_view id, const Json& period) {
    Json overrides = period.is_null() ? Json::object() : period;
    if (!overrides.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker check;
    check.RejectUnknownKeys(overrides, {"date_range", "date_from", "date_to", "since", "until", "timezone"});
    if (!check.ok()) return Fail(check.ToError("a run takes only a period"));
    auto report = Get(who, id);
    if (!report) return Fail(std::move(report.error()));
    Json definition = report->definition;
    bool new_dates = false;
    for (const auto& item : overrides.items()) new_dates = new_dates || IsDateField(item.key());
    if (new_dates) {
        for (auto key : kDateFields) definition.erase(std::string(key));
    }
    definition.update(overrides);
    auto query = ParseAnalyticsQuery(definition, clock_.NowMs());
    if (!query) return Fail(std::move(query.error()));
    auto run = analytics_.Run(who, *query);
    if (!run) return Fail(std::move(run.error()));
    Json out = {{"report", {{"id", report->id}, {"name", report->name}}}};
    out.update(*run);
    return out;
}

void WriteReportCsv(const Json& run, const std::function<void(std::string)>& write) {
    std::vector<std::string> columns;
    for (const auto& g : run["group_by"]) {
        columns.emplace_back(RowKeyOf(g.get<std::string>()));
    }
    for (const auto& m : run["metrics"]) columns.push_back(m.get<std::string>());
    auto record = [&](auto&& cell) {
        std::string line;
        for (size_t i = 0; i < columns.size(); ++i) {
            if (i > 0) line += ',';
            line += CsvField(cell(columns[i]));
        }
        return line + "\r\n";
    };
    write(record([](const std::string& column) { return column; }));
    std::string piece;
    for (const auto& row : run["rows"]) {
        piece += record([&](const std::string& column) { return CellText(row.value(column, Json())); });
        if (piece.size() >= 64 * 1024) write(std::exchange(piece, {}));
    }
    if (!piece.empty()) write(std::move(piece));
}

}  // namespace parley::domain
