// tinyloop project create|list, tinyloop key create
#include <cstdio>

#include "base/json.h"
#include "commands.h"
#include "local_context.h"

namespace tinyloop::app {

void AddProjectCommands(CLI::App& app, int* exit_code) {
  auto* project = app.add_subcommand("project", "Create and list projects");
  project->require_subcommand(1);

  struct CreateArgs {
    std::string name, data_dir, owner;
    bool json = false, require_signed = false;
  };
  auto create_args = std::make_shared<CreateArgs>();
  auto* create = project->add_subcommand("create", "Create a project; prints its id, first API "
                                                   "key (shown once) and HMAC key");
  create->add_option("name", create_args->name, "Project name")->required();
  create->add_option("--data-dir", create_args->data_dir, "Data folder of the server")->required();
  create->add_option("--owner", create_args->owner, "Owner shown to Edge Impulse tools");
  create->add_flag("--require-signed", create_args->require_signed,
                   "Refuse unsigned (alg none) samples");
  create->add_flag("--json", create_args->json, "Print {\"id\",\"api_key\",\"hmac_key\"}");
  create->callback([create_args, exit_code] {
    auto ctx = LocalContext::Open(create_args->data_dir);
    if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
    auto created = (*ctx)->projects->CreateProject(create_args->name, create_args->owner);
    if (!created.ok()) return void(*exit_code = Fail(created.status()));
    if (create_args->require_signed) {
      if (Status st = (*ctx)->projects->SetAllowUnsigned(created->project.id, false); !st.ok()) {
        return void(*exit_code = Fail(st));
      }
    }
    const auto& p = created->project;
    if (create_args->json) {
      std::printf("%s\n", DumpJson({{"id", p.id}, {"api_key", created->api_key},
                                    {"hmac_key", p.hmac_key}}).c_str());
    } else {
      std::printf("project %lld \"%s\" created\n  API key:  %s   (shown once; keep it)\n"
                  "  HMAC key: %s\n",
                  static_cast<long long>(p.id), p.name.c_str(), created->api_key.c_str(),
                  p.hmac_key.c_str());
    }
  });

  auto list_dir = std::make_shared<std::string>();
  auto* list = project->add_subcommand("list", "List projects");
  list->add_option("--data-dir", *list_dir, "Data folder of the server")->required();
  list->callback([list_dir, exit_code] {
    auto ctx = LocalContext::Open(*list_dir);
    if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
    auto projects = (*ctx)->projects->ListProjects();
    if (!projects.ok()) return void(*exit_code = Fail(projects.status()));
    for (const auto& p : *projects) {
      std::printf("%lld\t%s\n", static_cast<long long>(p.id), p.name.c_str());
    }
  });

  struct KeyArgs {
    std::string data_dir, name = "cli";
    int64_t project = 0;
    bool json = false;
  };
  auto key_args = std::make_shared<KeyArgs>();
  auto* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);
  auto* key_create = key->add_subcommand("create", "Create an API key (shown once)");
  key_create->add_option("--data-dir", key_args->data_dir, "Data folder")->required();
  key_create->add_option("--project", key_args->project, "Project id")->required();
  key_create->add_option("--name", key_args->name, "A name to tell keys apart");
  key_create->add_flag("--json", key_args->json, "Print {\"id\",\"api_key\"}");
  key_create->callback([key_args, exit_code] {
    auto ctx = LocalContext::Open(key_args->data_dir);
    if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
    auto created = (*ctx)->projects->CreateApiKey(key_args->project, key_args->name);
    if (!created.ok()) return void(*exit_code = Fail(created.status()));
    if (key_args->json) {
      std::printf("%s\n", DumpJson({{"id", created->key.id}, {"api_key", created->api_key}})
                              .c_str());
    } else {
      std::printf("%s   (shown once; keep it)\n", created->api_key.c_str());
    }
  });
}

}  // namespace tinyloop::app
