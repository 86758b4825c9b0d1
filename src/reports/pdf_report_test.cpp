// The PDF export as a person sees it: each PDF is rendered to PNG with pdftoppm (poppler, not
// cairo) and its text read back with pdftotext, so the test checks the pages a viewer shows.

#include "reports/pdf_report.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace parley::reports {
namespace {

using domain::Json;

class PdfReport : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::system("command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1") != 0) {
            GTEST_SKIP() << "poppler-utils is not installed (scripts/install-deps.sh)";
        }
        dir_ =
            std::filesystem::temp_directory_path() / ("parley-pdf-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        if (!dir_.empty() && !std::getenv("PARLEY_KEEP_PDF")) std::filesystem::remove_all(dir_);
    }

    // Renders `run` into report.pdf; its bytes.
    std::string Render(const Json& run) {
        std::string pdf;
        auto written = WriteReportPdf(run, [&](std::string piece) {
            EXPECT_LE(piece.size(), 64u * 1024 + 64 * 1024);
            pdf += piece;
        });
        EXPECT_TRUE(written) << (written ? "" : written.error().message);
        std::ofstream(dir_ / "report.pdf", std::ios::binary) << pdf;
        return pdf;
    }
    std::string Text() {
        const auto out = dir_ / "report.txt";
        const std::string cmd = "pdftotext -layout '" + (dir_ / "report.pdf").string() + "' '" + out.string() + "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        std::ifstream in(out);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    // Page `page` at 72 dots per inch: one pixel a point.
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> Page(int page) {
        const auto prefix = dir_ / "page";
        const std::string cmd = "pdftoppm -r 72 -png -singlefile -f " + std::to_string(page) + " -l " +
                                std::to_string(page) + " '" + (dir_ / "report.pdf").string() + "' '" + prefix.string() +
                                "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        return {cairo_image_surface_create_from_png((prefix.string() + ".png").c_str()), &cairo_surface_destroy};
    }

    std::filesystem::path dir_;
};

Json WeekRun(const std::string& name, const std::vector<int>& calls) {
    Json rows = Json::array();
    int total = 0;
    for (size_t i = 0; i < calls.size(); ++i) {
        rows.push_back(
            {{"day", "2026-03-0" + std::to_string(i + 2)}, {"calls", calls[i]}, {"cost_cents", calls[i] * 1234}});
        total += calls[i];
    }
    return {{"report", {{"id", "rpt_1"}, {"name", name}}},
            {"period",
             {{"since", "2026-03-02T05:00:00.000Z"},
              {"until", "2026-03-09T04:00:00.000Z"},
              {"timezone", "America/New_York"},
              {"date_from", "2026-03-02"},
              {"date_to", "2026-03-08"}}},
            {"group_by", {"day"}},
            {"metrics", {"calls", "cost_cents"}},
            {"rows", rows},
            {"totals", {{"calls", total}, {"cost_cents", total * 1234}}}};
}

// The bars of the chart on a page: for each run of pixel columns holding the bar's blue, its left
// edge and its height in pixels.
std::vector<std::pair<int, int>> Bars(cairo_surface_t* png) {
    const int width = cairo_image_surface_get_width(png);
    const int height = cairo_image_surface_get_height(png);
    const int stride = cairo_image_surface_get_stride(png);
    const unsigned char* data = cairo_image_surface_get_data(png);
    auto blue = [&](int x, int y) {
        const auto pixel = *reinterpret_cast<const uint32_t*>(data + y * stride + x * 4);
        const int r = (pixel >> 16) & 0xff;
        const int g = (pixel >> 8) & 0xff;
        const int b = pixel & 0xff;
        return std::abs(r - 51) < 20 && std::abs(g - 107) < 20 && std::abs(b - 173) < 20;  // kBar
    };
    std::vector<std::pair<int, int>> bars;
    bool in_bar = false;
    for (int x = 0; x < width; ++x) {
        int column = 0;
        for (int y = 0; y < height / 2; ++y) column += blue(x, y) ? 1 : 0;
        if (column > 0 && !in_bar) bars.push_back({x, column});
        if (column > 0 && in_bar) bars.back().second = std::max(bars.back().second, column);
        in_bar = column > 0;
    }
    return bars;
}

TEST_F(PdfReport, AWeekByDayHasItsNamePeriodBarsAndTable) {
    const std::string pdf = Render(WeekRun("Ventes d'\u00e9t\u00e9 \u2014 semaine", {3, 6, 12, 0, 6, 1, 12}));
    EXPECT_TRUE(pdf.starts_with("%PDF-1.")) << pdf.substr(0, 16);

    const std::string text = Text();
    for (const char* expected :
         {"Ventes d'\u00e9t\u00e9 \u2014 semaine", "2026-03-02 to 2026-03-08", "America/New_York", "By day", "7 rows",
          "calls by day", "cost_cents", "2026-03-04", "14,808", "Total", "40", "49,360", "Page 1 of 1"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " in:\n" << text;
    }

    auto page = Page(1);
    ASSERT_EQ(cairo_surface_status(page.get()), CAIRO_STATUS_SUCCESS);
    EXPECT_NEAR(cairo_image_surface_get_width(page.get()), 595, 1);  // A4 in points
    const auto bars = Bars(page.get());
    // Six days had calls, one had none: six bars, in the days' order, as tall as their counts.
    ASSERT_EQ(bars.size(), 6u);
    for (size_t i = 1; i < bars.size(); ++i) EXPECT_GT(bars[i].first, bars[i - 1].first);
    const double unit = bars[2].second / 12.0;  // the third day's 12 calls
    const std::vector<int> calls = {3, 6, 12, 6, 1, 12};
    for (size_t i = 0; i < bars.size(); ++i) {
        EXPECT_NEAR(bars[i].second, calls[i] * unit, 2.0) << "bar " << i;
    }
    EXPECT_GT(bars[2].second, 100);  // the tallest bar fills most of the chart
    // The day without calls leaves its place empty: the gap after the third bar is two places.
    const int place = bars[1].first - bars[0].first;
    EXPECT_NEAR(bars[3].first - bars[2].first, 2 * place, 2);
}

TEST_F(PdfReport, ALongRunGoesOnOverPagesWithTheHeaderOnEach) {
    Json run = WeekRun("Every campaign", {});
    run["group_by"] = {"campaign", "disposition"};
    run["metrics"] = {"average_duration", "calls"};
    Json rows = Json::array();
    for (int i = 0; i < 150; ++i) {
        rows.push_back({{"campaign_id", "cmp_" + std::to_string(i / 3)},
                        {"disposition", i % 3 == 0 ? "hot_lead" : "voicemail"},
                        {"average_duration", 61.5},
                        {"calls", i + 1}});
    }
    run["rows"] = rows;
    run["totals"] = {{"average_duration", 61.5}, {"calls", 11325}};
    Render(run);
    const std::string text = Text();
    int headers = 0;
    for (size_t at = text.find("campaign_id"); at != std::string::npos; at = text.find("campaign_id", at + 1)) {
        ++headers;
    }
    const size_t of = text.find("Page 1 of ");
    ASSERT_NE(of, std::string::npos) << text;
    const int pages = std::atoi(text.c_str() + of + 10);
    EXPECT_GE(pages, 3);
    EXPECT_EQ(headers, pages);  // the table's header on every page
    EXPECT_NE(text.find("Page " + std::to_string(pages) + " of " + std::to_string(pages)), std::string::npos);
    EXPECT_NE(text.find("cmp_49"), std::string::npos);
    EXPECT_NE(text.find("11,325"), std::string::npos);
    EXPECT_NE(text.find("61.50"), std::string::npos);
    // Grouped twice, the chart adds up the metric that adds up (calls, not the average) per campaign.
    EXPECT_NE(text.find("calls by campaign"), std::string::npos) << text;
    auto page = Page(1);
    EXPECT_EQ(Bars(page.get()).size(), 50u);
}

TEST_F(PdfReport, AnEmptyPeriodSaysSoInsteadOfDrawingBars) {
    Json run = WeekRun("Nothing yet", {});
    run["group_by"] = {"campaign"};
    Render(run);
    const std::string text = Text();
    EXPECT_NE(text.find("No calls in this period"), std::string::npos) << text;
    EXPECT_NE(text.find("0 rows"), std::string::npos) << text;
    auto page = Page(1);
    EXPECT_TRUE(Bars(page.get()).empty());
}

}  // namespace
}  // namespace parley::reports
