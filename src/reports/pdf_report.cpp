#include "reports/pdf_report.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/analytics_service.hpp"

namespace parley::reports {
namespace {

using domain::Json;

// A4 in points, and the page's parts.
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 48;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kFooterTop = kPageHeight - kMargin + 14;
constexpr double kTableBottom = kPageHeight - kMargin - 8;
constexpr double kChartHeight = 200;  // the plot; its title above and labels below come on top
constexpr double kRowHeight = 15;
constexpr double kCellPadding = 5;
constexpr double kBodySize = 8;
constexpr double kSmallSize = 7;
constexpr double kMaxLabelWidth = 44;  // a bar's label, in points, before it is cut
constexpr int kMaxValueLabels = 31;    // bars that carry their value above them
constexpr size_t kMeasuredRows = 500;  // rows measured for the columns' widths
constexpr size_t kPieceBytes = 64 * 1024;
constexpr const char* kFont = "DejaVu Sans";

struct Rgb {
    double r, g, b;
};
constexpr Rgb kInk{0.13, 0.13, 0.15};
constexpr Rgb kMuted{0.42, 0.43, 0.47};
constexpr Rgb kBar{0.20, 0.42, 0.68};
constexpr Rgb kGrid{0.86, 0.87, 0.89};
constexpr Rgb kHeaderFill{0.91, 0.93, 0.96};
constexpr Rgb kStripe{0.97, 0.97, 0.98};

// Collects cairo's many small writes into pieces for the caller.
struct Sink {
    const std::function<void(std::string)>& write;
    std::string pending;

    static cairo_status_t Write(void* closure, const unsigned char* data, unsigned int length) {
        auto* sink = static_cast<Sink*>(closure);
        sink->pending.append(reinterpret_cast<const char*>(data), length);
        if (sink->pending.size() >= kPieceBytes) sink->write(std::exchange(sink->pending, {}));
        return CAIRO_STATUS_SUCCESS;
    }
};

// "12345" → "12,345"; a fraction with at most two decimals.
std::string NumberText(const Json& value) {
    if (value.is_null()) return "";
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f", value.get<double>());
        return buf;
    }
    if (!value.is_number()) return value.dump();
    const std::string digits = value.dump();
    const bool negative = digits.starts_with('-');
    std::string out;
    const std::string body = negative ? digits.substr(1) : digits;
    for (size_t i = 0; i < body.size(); ++i) {
        if (i > 0 && (body.size() - i) % 3 == 0) out += ',';
        out += body[i];
    }
    return negative ? "-" + out : out;
}

// The length of the longest prefix of `text` that ends on a UTF-8 character boundary and is at
// most `bytes` long.
size_t Utf8Prefix(const std::string& text, size_t bytes) {
    if (bytes >= text.size()) return text.size();
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
    return bytes;
}

// Drawing on a page with cairo's text API and the colors above.
class Canvas {
public:
    explicit Canvas(cairo_t* cr) : cr_(cr) {}

    void Font(double size, bool bold = false) {
        cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr_, size);
    }
    void Color(const Rgb& c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }
    double Width(const std::string& text) {
        cairo_text_extents_t e;
        cairo_text_extents(cr_, text.c_str(), &e);
        return e.x_advance;
    }
    // `text` cut with an ellipsis to fit `width`.
    std::string Fit(const std::string& text, double width) {
        if (Width(text) <= width) return text;
        size_t keep = text.size();
        while (keep > 0) {
            keep = Utf8Prefix(text, keep - 1);
            std::string cut = text.substr(0, keep) + "\u2026";
            if (Width(cut) <= width) return cut;
        }
        return "";
    }
    enum class Align { kLeft, kRight, kCenter };
    void Text(const std::string& text, double x, double baseline, double width, Align align = Align::kLeft) {
        const std::string shown = Fit(text, width);
        const double w = Width(shown);
        const double left = align == Align::kLeft ? x : align == Align::kRight ? x + width - w : x + (width - w) / 2;
        cairo_move_to(cr_, left, baseline);
        cairo_show_text(cr_, shown.c_str());
    }
    void Fill(double x, double y, double w, double h, const Rgb& c) {
        Color(c);
        cairo_rectangle(cr_, x, y, w, h);
        cairo_fill(cr_);
    }
    void Line(double x0, double y0, double x1, double y1, const Rgb& c, double width = 0.5) {
        Color(c);
        cairo_set_line_width(cr_, width);
        cairo_move_to(cr_, x0, y0);
        cairo_line_to(cr_, x1, y1);
        cairo_stroke(cr_);
    }

private:
    cairo_t* cr_;
};

// What the chart shows: a bar per day, week or group of the run's first grouping, of one metric.
struct Chart {
    std::string metric;
    std::string group;
    std::vector<std::string> labels;
    std::vector<double> values;
};

// The first metric that adds up over the run's other groupings (any metric when there is only one
// grouping), per value of its first grouping; nullopt when the run has no grouping or no such metric.
std::optional<Chart> ChartOf(const Json& run) {
    const Json& groups = run["group_by"];
    if (groups.empty()) return std::nullopt;
    Chart chart;
    for (const auto& m : run["metrics"]) {
        const std::string name = m.get<std::string>();
        if (groups.size() == 1 || domain::MetricAddsUp(name)) {
            chart.metric = name;
            break;
        }
    }
    if (chart.metric.empty()) return std::nullopt;
    chart.group = groups[0].get<std::string>();
    const std::string key(domain::RowKeyOf(chart.group));
    std::map<std::string, size_t> index;
    for (const auto& row : run["rows"]) {
        const Json& k = row.contains(key) ? row[key] : Json();
        const std::string label = k.is_string() ? k.get<std::string>() : k.is_null() ? "(none)" : k.dump();
        const Json& v = row.contains(chart.metric) ? row[chart.metric] : Json();
        const double value = v.is_number() ? v.get<double>() : 0;
        auto [it, added] = index.emplace(label, chart.labels.size());
        if (added) {
            chart.labels.push_back(label);
            chart.values.push_back(0);
        }
        chart.values[it->second] += value;
    }
    return chart;
}

// A round step for about `ticks` grid lines up to `max`: 1, 2 or 5 times a power of ten.
double NiceStep(double max, int ticks) {
    const double raw = std::max(max / ticks, 1e-9);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * power >= raw) return m * power;
    }
    return 10 * power;
}

// The chart in the box at `top`, kContentWidth wide; returns where it ends.
double DrawChart(Canvas& c, const Chart& chart, double top) {
    c.Font(10, true);
    c.Color(kInk);
    c.Text(chart.metric + " by " + chart.group, kMargin, top + 10, kContentWidth);
    const double plot_top = top + 24;
    const double plot_bottom = plot_top + kChartHeight;
    const double axis_width = 44;
    const double plot_left = kMargin + axis_width;
    const double plot_width = kContentWidth - axis_width;

    const double max = chart.values.empty() ? 0 : *std::max_element(chart.values.begin(), chart.values.end());
    const double step = NiceStep(max > 0 ? max : 1, 4);
    const double top_value = std::max(step, std::ceil((max > 0 ? max : 1) / step) * step);
    c.Font(kSmallSize);
    for (double v = 0; v <= top_value + step / 2; v += step) {
        const double y = plot_bottom - v / top_value * kChartHeight;
        c.Line(plot_left, y, plot_left + plot_width, y, kGrid);
        c.Color(kMuted);
        c.Text(NumberText(std::floor(v) == v ? Json(static_cast<int64_t>(v)) : Json(v)), kMargin, y + 2.5,
               axis_width - 6, Canvas::Align::kRight);
    }
    const size_t n = chart.values.size();
    if (n == 0) {
        c.Color(kMuted);
        c.Font(9);
        c.Text("No calls in this period", plot_left, plot_top + kChartHeight / 2, plot_width, Canvas::Align::kCenter);
        return plot_bottom + 24;
    }
    const double slot = plot_width / static_cast<double>(n);
    const double gap = slot >= 4 ? slot * 0.2 : 0;
    for (size_t i = 0; i < n; ++i) {
        const double h = chart.values[i] / top_value * kChartHeight;
        const double x = plot_left + static_cast<double>(i) * slot + gap / 2;
        if (h > 0) c.Fill(x, plot_bottom - h, slot - gap, h, kBar);
        if (n <= kMaxValueLabels && chart.values[i] > 0) {
            c.Color(kInk);
            const double v = chart.values[i];
            c.Text(NumberText(std::floor(v) == v ? Json(static_cast<int64_t>(v)) : Json(v)), x - 10,
                   plot_bottom - h - 3, slot - gap + 20, Canvas::Align::kCenter);
        }
    }
    c.Line(plot_left, plot_bottom, plot_left + plot_width, plot_bottom, kMuted, 0.8);
    // A label under every bar when they fit (a long one cut to kMaxLabelWidth), else under every
    // second, third... bar, evenly spread.
    c.Color(kMuted);
    c.Font(kSmallSize);
    double widest = 0;
    for (const auto& label : chart.labels) widest = std::max(widest, std::min(c.Width(label), kMaxLabelWidth));
    const auto every = static_cast<size_t>(std::max(1.0, std::ceil((widest + 6) / slot)));
    const double label_width = slot * static_cast<double>(every) - 4;
    for (size_t i = 0; i < n; i += every) {
        const double center = plot_left + (static_cast<double>(i) + 0.5) * slot;
        c.Text(chart.labels[i], center - label_width / 2, plot_bottom + 11, label_width, Canvas::Align::kCenter);
    }
    return plot_bottom + 30;
}

struct Column {
    std::string key;
    bool number = false;
    double width = 0;
};

// The table's columns, as wide as their contents need, stretched or squeezed to the page.
std::vector<Column> ColumnsOf(Canvas& c, const Json& run) {
    std::vector<Column> columns;
    for (const auto& g : run["group_by"]) columns.push_back({std::string(domain::RowKeyOf(g.get<std::string>()))});
    for (const auto& m : run["metrics"]) columns.push_back({m.get<std::string>(), true});
    c.Font(kBodySize, true);
    for (auto& col : columns) col.width = c.Width(col.key);
    c.Font(kBodySize);
    const Json& rows = run["rows"];
    for (size_t r = 0; r < std::min(rows.size(), kMeasuredRows); ++r) {
        for (auto& col : columns) col.width = std::max(col.width, c.Width(NumberText(rows[r].value(col.key, Json()))));
    }
    for (auto& col : columns) {
        if (run["totals"].contains(col.key))
            col.width = std::max(col.width, c.Width(NumberText(run["totals"][col.key])));
        col.width += 2 * kCellPadding;
    }
    double total = 0;
    for (const auto& col : columns) total += col.width;
    if (total > 0) {
        for (auto& col : columns) col.width *= kContentWidth / total;
    }
    return columns;
}

class Renderer {
public:
    Renderer(cairo_t* cr, const Json& run) : cr_(cr), c_(cr), run_(run) {}

    void Draw() {
        const std::string name = run_["report"].value("name", "Report");
        double y = Heading(name);
        if (auto chart = ChartOf(run_)) y = DrawChart(c_, *chart, y);
        columns_ = ColumnsOf(c_, run_);
        const Json& rows = run_["rows"];
        // Every row, then the totals; a page break repeats the header.
        const size_t lines = rows.size() + 1;
        const auto fits = [](double from) {
            return std::max<size_t>(1, static_cast<size_t>((kTableBottom - from) / kRowHeight) - 1);
        };
        const size_t first = fits(y);
        const size_t later = fits(kMargin);
        pages_ = 1 + static_cast<int>(lines > first ? (lines - first + later - 1) / later : 0);
        size_t line = 0;
        for (int page = 1; page <= pages_; ++page) {
            if (page > 1) {
                cairo_show_page(cr_);
                y = kMargin;
            }
            y = HeaderRow(y);
            const size_t until = std::min(lines, line + (page == 1 ? first : later));
            for (; line < until; ++line) {
                if (line < rows.size()) {
                    y = Row(rows[line], y, line % 2 == 1, false);
                } else {
                    y = Row(run_["totals"], y, false, true);
                }
            }
            Footer(name, page);
        }
        cairo_show_page(cr_);
    }

private:
    // The report's name, its period and what it is grouped by; returns where the page goes on.
    double Heading(const std::string& name) {
        c_.Font(18, true);
        c_.Color(kInk);
        c_.Text(name, kMargin, kMargin + 14, kContentWidth);
        const Json& period = run_["period"];
        std::string when = period.value("date_from", "") + " to " + period.value("date_to", "");
        if (period.value("date_from", "") == period.value("date_to", "")) when = period.value("date_from", "");
        when += "  \u00b7  " + period.value("timezone", "UTC");
        c_.Font(10);
        c_.Color(kMuted);
        c_.Text(when, kMargin, kMargin + 32, kContentWidth);
        std::string grouping;
        for (const auto& g : run_["group_by"]) grouping += (grouping.empty() ? "" : ", ") + g.get<std::string>();
        const size_t n = run_["rows"].size();
        std::string summary = grouping.empty() ? "All calls of the period" : "By " + grouping;
        summary += "  \u00b7  " + std::to_string(n) + (n == 1 ? " row" : " rows");
        c_.Text(summary, kMargin, kMargin + 46, kContentWidth);
        c_.Line(kMargin, kMargin + 56, kMargin + kContentWidth, kMargin + 56, kGrid, 0.8);
        return kMargin + 68;
    }

    double HeaderRow(double y) {
        c_.Fill(kMargin, y, kContentWidth, kRowHeight, kHeaderFill);
        c_.Font(kBodySize, true);
        c_.Color(kInk);
        double x = kMargin;
        for (const auto& col : columns_) {
            c_.Text(col.key, x + kCellPadding, y + kRowHeight - 4.5, col.width - 2 * kCellPadding,
                    col.number ? Canvas::Align::kRight : Canvas::Align::kLeft);
            x += col.width;
        }
        return y + kRowHeight;
    }

    double Row(const Json& values, double y, bool striped, bool totals) {
        if (striped) c_.Fill(kMargin, y, kContentWidth, kRowHeight, kStripe);
        if (totals) c_.Line(kMargin, y, kMargin + kContentWidth, y, kMuted, 0.8);
        c_.Font(kBodySize, totals);
        c_.Color(kInk);
        double x = kMargin;
        bool first = true;
        for (const auto& col : columns_) {
            std::string text = NumberText(values.value(col.key, Json()));
            if (totals && first && !col.number) text = "Total";
            c_.Text(text, x + kCellPadding, y + kRowHeight - 4.5, col.width - 2 * kCellPadding,
                    col.number ? Canvas::Align::kRight : Canvas::Align::kLeft);
            x += col.width;
            first = false;
        }
        return y + kRowHeight;
    }

    void Footer(const std::string& name, int page) {
        c_.Font(kSmallSize);
        c_.Color(kMuted);
        c_.Text(name, kMargin, kFooterTop, kContentWidth * 0.7);
        c_.Text("Page " + std::to_string(page) + " of " + std::to_string(pages_), kMargin + kContentWidth * 0.7,
                kFooterTop, kContentWidth * 0.3, Canvas::Align::kRight);
    }

    cairo_t* cr_;
    Canvas c_;
    const Json& run_;
    std::vector<Column> columns_;
    int pages_ = 1;
};

}  // namespace

Result<void> WriteReportPdf(const Json& run, const std::function<void(std::string)>& write) {
    Sink sink{write, {}};
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_pdf_surface_create_for_stream(&Sink::Write, &sink, kPageWidth, kPageHeight), &cairo_surface_destroy);
    const std::string title = run["report"].value("name", "Report");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Parley");
    {
        std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
        Renderer(cr.get(), run).Draw();
        if (const auto status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
            return Fail(ErrorCode::kInternal,
                        std::string("the PDF could not be drawn: ") + cairo_status_to_string(status));
        }
    }
    cairo_surface_finish(surface.get());
    if (const auto status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
        return Fail(ErrorCode::kInternal,
                    std::string("the PDF could not be written: ") + cairo_status_to_string(status));
    }
    if (!sink.pending.empty()) write(std::move(sink.pending));
    return {};
}

}  // namespace parley::reports
