// tinyloop data report | data schema
#include <cstdio>
#include <fstream>
#include <sstream>

#include "api/http_client.h"
#include "base/json.h"
#include "commands.h"
#include "local_context.h"
#include "service/data_report.h"

namespace tinyloop::app {

void AddDataCommands(CLI::App& app, int* exit_code) {
  auto* data = app.add_subcommand("data", "Are we getting the right data? Reports and schema");
  data->require_subcommand(1);

  struct Args {
    std::string data_dir, server, api_key, schema_file;
    int64_t project = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* report = data->add_subcommand(
      "report", "Counts per label × category × device, class balance, length and rate "
                "distributions, and data-quality findings with sample ids");
  report->add_option("--data-dir", args->data_dir, "Local data folder");
  report->add_option("--server", args->server, "Or a server URL, e.g. http://127.0.0.1:4800");
  report->add_option("--api-key", args->api_key, "API key (with --server)")
      ->envname("TINYLOOP_API_KEY");
  report->add_option("--project", args->project, "Project id")->required();
  report->add_flag("--json", args->json, "Print the report as JSON");
  report->callback([args, exit_code] {
    Json json;
    if (!args->server.empty()) {
      auto client = api::HttpClient::Create(args->server);
      if (!client.ok()) return void(*exit_code = Fail(client.status()));
      auto r = (*client)->Get("/api/v1/projects/" + std::to_string(args->project) + "/data-report",
                              {{"x-api-key", args->api_key}});
      if (!r.ok()) return void(*exit_code = Fail(r.status()));
      auto parsed = ParseJson(r->body);
      if (!parsed.ok() || r->status != 200) {
        return void(*exit_code = Fail(UnavailableError("server answered " +
                                                       std::to_string(r->status) + ": " +
                                                       r->body.substr(0, 300))));
      }
      json = *parsed;
      if (!args->json) {
        std::printf("%s\n", json.dump(2).c_str());
        return;
      }
    } else {
      auto ctx = LocalContext::Open(args->data_dir);
      if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
      auto rep = (*ctx)->samples->Report(args->project);
      if (!rep.ok()) return void(*exit_code = Fail(rep.status()));
      if (!args->json) {
        std::printf("%s", service::DataReportToText(*rep).c_str());
        return;
      }
      json = service::DataReportToJson(*rep);
    }
    std::printf("%s\n", DumpJson(json).c_str());
  });

  auto* schema = data->add_subcommand("schema", "Show or set the project's sensor schema");
  schema->add_option("--data-dir", args->data_dir, "Local data folder")->required();
  schema->add_option("--project", args->project, "Project id")->required();
  schema->add_option("--set", args->schema_file, "JSON file with the schema to enforce");
  schema->callback([args, exit_code] {
    auto ctx = LocalContext::Open(args->data_dir);
    if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
    if (!args->schema_file.empty()) {
      std::ifstream in(args->schema_file);
      std::stringstream buf;
      buf << in.rdbuf();
      if (!in) return void(*exit_code = Fail(NotFoundError("cannot read " + args->schema_file)));
      auto json = ParseJson(buf.str());
      if (!json.ok()) return void(*exit_code = Fail(json.status().WithPrefix(args->schema_file)));
      auto parsed = service::SensorSchema::FromJson(*json);
      if (!parsed.ok()) return void(*exit_code = Fail(parsed.status()));
      if (Status st = (*ctx)->ingest->SetSchema(args->project, *parsed); !st.ok()) {
        return void(*exit_code = Fail(st));
      }
    }
    auto current = (*ctx)->ingest->GetSchema(args->project);
    if (!current.ok()) return void(*exit_code = Fail(current.status()));
    std::printf("%s\n", *current ? (*current)->ToJson().dump(2).c_str() : "null");
  });
}

}  // namespace tinyloop::app
