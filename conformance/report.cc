#include "conformance/report.h"

#include <cstdio>

namespace imagelib::conformance {
namespace {

std::string outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kSkipped: return "skipped";
  }
  return "unknown";
}

Outcome outcome_of(const std::string& name) {
  if (name == "failed") return Outcome::kFailed;
  if (name == "skipped") return Outcome::kSkipped;
  return Outcome::kPassed;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += '?';
        else out += c;
    }
  }
  return out;
}

std::string replay_of(const RunReport& report, const ScenarioResult& result) {
  std::string command = report.replay_command;
  const std::string key = "{scenario}";
  if (auto pos = command.find(key); pos != std::string::npos) command.replace(pos, key.size(), result.path);
  return command;
}

const StepResult* failing_step(const ScenarioResult& result) {
  return result.outcome == Outcome::kFailed && !result.steps.empty() ? &result.steps.back() : nullptr;
}

}  // namespace

Tally tally(const RunReport& report) {
  Tally t;
  for (const auto& r : report.results) {
    if (r.outcome == Outcome::kPassed) ++t.passed;
    if (r.outcome == Outcome::kFailed) ++t.failed;
    if (r.outcome == Outcome::kSkipped) ++t.skipped;
  }
  return t;
}

void print_console(const RunReport& report, std::ostream& out) {
  for (const auto& result : report.results) {
    out << (result.outcome == Outcome::kPassed   ? "PASS "
            : result.outcome == Outcome::kFailed ? "FAIL "
                                                 : "SKIP ")
        << result.path;
    if (result.outcome == Outcome::kSkipped) out << "  (" << result.skip_reason << ")";
    out << "\n";
    if (const StepResult* step = failing_step(result)) {
      out << "  step " << step->number << ": " << step->summary << "\n";
      for (const auto& failure : step->failures) out << "    " << failure << "\n";
      if (!step->expected.is_null() && !step->expected.empty()) {
        out << "    expected: " << step->expected.dump() << "\n";
      }
      if (!step->got.is_null()) {
        std::string got = step->got.dump();
        if (got.size() > 600) got = got.substr(0, 600) + "...";
        out << "    got:      " << got << "\n";
      }
      out << "    replay:   " << replay_of(report, result) << "\n";
    }
  }
  const Tally t = tally(report);
  out << t.passed << " passed, " << t.failed << " failed, " << t.skipped << " skipped\n";
}

std::string to_junit_xml(const RunReport& report) {
  const Tally t = tally(report);
  double total = 0;
  for (const auto& r : report.results) total += r.seconds;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  char header[256];
  std::snprintf(header, sizeof header,
                "<testsuite name=\"imagelib conformance\" tests=\"%zu\" failures=\"%zu\" "
                "skipped=\"%zu\" time=\"%.3f\">\n",
                report.results.size(), t.failed, t.skipped, total);
  xml += header;
  for (const auto& r : report.results) {
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", r.seconds);
    xml += "  <testcase classname=\"" + xml_escape(report.target) + "\" name=\"" +
           xml_escape(r.path) + "\" time=\"" + time + "\">\n";
    if (r.outcome == Outcome::kSkipped) {
      xml += "    <skipped message=\"" + xml_escape(r.skip_reason) + "\"/>\n";
    } else if (const StepResult* step = failing_step(r)) {
      std::string message = "step " + std::to_string(step->number) + ": " + step->summary;
      std::string body;
      for (const auto& f : step->failures) body += f + "\n";
      body += "replay: " + replay_of(report, r) + "\n";
      xml += "    <failure message=\"" + xml_escape(message) + "\">" + xml_escape(body) + "</failure>\n";
    }
    xml += "  </testcase>\n";
  }
  return xml + "</testsuite>\n";
}

nlohmann::json to_json(const RunReport& report) {
  nlohmann::json json = {{"target", report.target}, {"replay_command", report.replay_command}};
  json["results"] = nlohmann::json::array();
  for (const auto& r : report.results) {
    nlohmann::json entry = {{"path", r.path},     {"name", r.name},       {"target", r.target},
                            {"outcome", outcome_name(r.outcome)}, {"seconds", r.seconds}};
    if (!r.skip_reason.empty()) entry["skip_reason"] = r.skip_reason;
    if (const StepResult* step = failing_step(r)) {
      entry["failure"] = {{"step", step->number},
                          {"summary", step->summary},
                          {"failures", step->failures},
                          {"expected", step->expected},
                          {"got", step->got}};
    }
    json["results"].push_back(std::move(entry));
  }
  const Tally t = tally(report);
  json["summary"] = {{"passed", t.passed}, {"failed", t.failed}, {"skipped", t.skipped}};
  return json;
}

RunReport merge_reports(const std::vector<nlohmann::json>& reports) {
  RunReport merged;
  for (const auto& report : reports) {
    if (merged.target.empty()) merged.target = report.value("target", "");
    if (merged.replay_command.empty()) merged.replay_command = report.value("replay_command", "");
    for (const auto& entry : report.value("results", nlohmann::json::array())) {
      ScenarioResult r;
      r.path = entry.value("path", "");
      r.name = entry.value("name", "");
      r.target = entry.value("target", "");
      r.outcome = outcome_of(entry.value("outcome", "passed"));
      r.skip_reason = entry.value("skip_reason", "");
      r.seconds = entry.value("seconds", 0.0);
      if (entry.contains("failure")) {
        const auto& f = entry["failure"];
        StepResult step;
        step.number = f.value("step", std::size_t{0});
        step.summary = f.value("summary", "");
        step.failures = f.value("failures", std::vector<std::string>{});
        step.expected = f.value("expected", nlohmann::json());
        step.got = f.value("got", nlohmann::json());
        r.steps.push_back(std::move(step));
      }
      merged.results.push_back(std::move(r));
    }
  }
  return merged;
}

}  // namespace imagelib::conformance
