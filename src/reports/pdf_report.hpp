#pragma once

// A report's run as a PDF a person reads (seed 000 "Reports API", format=pdf): A4 pages with the
// report's name and period, a bar chart of its first metric per day or group, and its table with
// the totals, the table's header repeated on every page.

#include <functional>
#include <string_view>

#include "common/error.hpp"
#include "domain/entities.hpp"

namespace parley::reports {

// Renders `run` (domain::ReportService::Execute's answer) and hands the PDF to `write` in pieces
// of about 64 KiB. kInternal when cairo fails; pieces may have been written by then.
Result<void> WriteReportPdf(const domain::Json& run, const std::function<void(std::string)>& write);

}  // namespace parley::reports
