#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "domain/report_service.hpp"
#include "reports/pdf_report.hpp"

namespace parley::api {
namespace {

// "Sales by day.csv" as a Content-Disposition: an ASCII name for every client and the UTF-8 one
// (RFC 6266, RFC 8187) for those that read it.
std::string Attachment(const std::string& name, std::string_view extension) {
    std::string ascii;
    for (unsigned char c : name)
        ascii += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '_';
    if (ascii.empty()) ascii = "report";
    return "attachment; filename=\"" + ascii + "." + std::string(extension) + "\"; filename*=UTF-8''" +
           http::PercentEncode(name) + "." + std::string(extension);
}

}  // namespace

// Seed 000 "Reports API": saved analytics queries, their runs and their exports.
void AddReportRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& reports = s.reports;

    routes.push_back({"POST", "/api/v1/reports",
                      [&reports](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(reports.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/reports", [&reports](Ctx& ctx) {
                          return RespondPage(
                              ctx, "rpt_", [&](const auto& page) { return reports.List(ctx.principal, page); },
                              [](const auto& r) { return r.id; });
                      }});
    routes.push_back({"GET", "/api/v1/reports/:id",
                      [&reports](Ctx& ctx) { return Respond(reports.Get(ctx.principal, ctx.Param("id")), ctx); }});
    routes.push_back({"PATCH", "/api/v1/reports/:id",
                      [&reports](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(reports.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/reports/:id",
                      [&reports](Ctx& ctx) {
                          return RespondDeleted(reports.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});
    routes.push_back({"POST", "/api/v1/reports/:id/execute",
                      [&reports](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx, true);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          auto run = reports.Execute(ctx.principal, ctx.Param("id"), *body);
                          if (!run) return ErrorResponse(run.error(), ctx.request_id);
                          return Ok(*run);
                      },
                      Access::kRead, RateClass::kStandard, BodyKind::kJson});
    routes.push_back(
        {"GET", "/api/v1/reports/:id/export", [&reports](Ctx& ctx) {
             const std::string format(ctx.Query("format").value_or("csv"));
             if (format != "csv" && format != "pdf") {
                 return ErrorResponse(Error{ErrorCode::kValidation,
                                            "format must be csv or pdf",
                                            {{"format", "\"" + format.substr(0, 32) + "\" is not csv or pdf"}}},
                                      ctx.request_id);
             }
             auto run = reports.Execute(ctx.principal, ctx.Param("id"), PeriodQuery(ctx));
             if (!run) return ErrorResponse(run.error(), ctx.request_id);
             const bool pdf = format == "pdf";
             http::Response res{
                 200,
                 pdf ? "application/pdf" : "text/csv; charset=utf-8",
                 {{"Content-Disposition", Attachment((*run)["report"]["name"].get<std::string>(), format)}},
                 ""};
             res.stream = [run = std::move(*run), pdf](const std::shared_ptr<http::BodyStream>& out) {
                 auto write = [&out](std::string piece) { out->Write(std::move(piece)); };
                 if (!pdf) {
                     domain::WriteReportCsv(run, write);
                 } else if (auto written = reports::WriteReportPdf(run, write); !written) {
                     // The answer has begun: the client gets a cut PDF, and the log says why.
                     spdlog::error("report {}: {}", run["report"].value("id", ""), written.error().message);
                 }
                 out->End();
             };
             return res;
         }});
}

}  // namespace parley::api
