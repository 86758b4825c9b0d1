#pragma once

// Saved reports (seed 000 "Reports API"): analytics queries kept by name, run over their own
// period or another one, and exported.

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/analytics_service.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

inline constexpr int64_t kMaxReports = 1000;  // per organization

class ReportService {
public:
    ReportService(Store& store, const Clock& clock, AnalyticsService& analytics)
        : store_(store), clock_(clock), analytics_(analytics) {}

    // {name, description?, and an analytics query: metrics?, group_by?, filters?, the period's
    // fields?}. A period that names no dates (a preset, or nothing: the last 30 days) moves with
    // each run.
    Result<SavedReport> Create(const Principal& who, const Json& body);
    Result<SavedReport> Get(const Principal& who, std::string_view id);
    Result<Page<SavedReport>> List(const Principal& who, const PageRequest& page);
    // Any field of Create; new dates (date_range, date_from/date_to, since/until) replace the old
    // ones whole, the time zone is kept unless given; null removes a field.
    Result<SavedReport> Update(const Principal& who, std::string_view id, const Json& patch);
    Result<void> Delete(const Principal& who, std::string_view id);
    // The report run, over its period or the one `period` names (the period's fields only; the
    // report's time zone unless it names one):
    // {report: {id, name}, period, group_by, metrics, rows, totals}.
    Result<Json> Execute(const Principal& who, std::string_view id, const Json& period);

private:
    Store& store_;
    const Clock& clock_;
    AnalyticsService& analytics_;
};

// A run as CSV (RFC 4180, CRLF line ends): a header of its group keys and metrics, then a record
// per row, handed to `write` a piece at a time.
void WriteReportCsv(const Json& run, const std::function<void(std::string)>& write);

}  // namespace parley::domain
