#include "service/projects.h"

#include "base/ids.h"

namespace tinyloop::service {
namespace {

bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size() && extra > 0) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

Status ValidateName(const std::string& field, const std::string& value, size_t max_bytes) {
  if (value.empty()) return InvalidArgumentError(field + " must not be empty");
  if (value.size() > max_bytes) {
    return InvalidArgumentError(field + " is " + std::to_string(value.size()) +
                                " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  if (!IsValidUtf8(value)) return InvalidArgumentError(field + " is not valid UTF-8");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return InvalidArgumentError(field + " contains a control character");
  }
  return OkStatus();
}

StatusOr<CreatedProject> ProjectService::CreateProject(const std::string& name,
                                                       const std::string& owner) {
  TL_RETURN_IF_ERROR(ValidateName("project name", name, kMaxProjectNameBytes));
  store::Project project;
  project.name = name;
  project.owner = owner.empty() ? "tinyloop" : owner;
  project.hmac_key = NewHmacKey();
  project.created_ms = clock_.NowMillis();
  TL_ASSIGN_OR_RETURN(project, store_.CreateProject(std::move(project)));
  TL_ASSIGN_OR_RETURN(CreatedApiKey key, CreateApiKey(project.id, "default"));
  return CreatedProject{std::move(project), std::move(key.api_key)};
}

StatusOr<CreatedApiKey> ProjectService::CreateApiKey(int64_t project_id, const std::string& name) {
  TL_RETURN_IF_ERROR(ValidateName("key name", name, kMaxProjectNameBytes));
  TL_RETURN_IF_ERROR(store_.GetProject(project_id));
  const std::string api_key = NewApiKey();
  store::ApiKey record;
  record.project_id = project_id;
  record.name = name;
  record.display_prefix = ApiKeyDisplayPrefix(api_key);
  record.created_ms = clock_.NowMillis();
  TL_ASSIGN_OR_RETURN(record, store_.CreateApiKey(record, HashApiKey(store_.pepper(), api_key)));
  return CreatedApiKey{std::move(record), api_key};
}

StatusOr<store::Project> ProjectService::Authenticate(const std::string& api_key) {
  TL_ASSIGN_OR_RETURN(std::shared_ptr<const store::Project> project, AuthenticateShared(api_key));
  return *project;
}

StatusOr<std::shared_ptr<const store::Project>> ProjectService::AuthenticateShared(
    const std::string& api_key) {
  if (api_key.empty()) return UnauthenticatedError("missing x-api-key header");
  const std::string hash = HashApiKey(store_.pepper(), api_key);
  int64_t project_id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = project_by_key_hash_.find(hash);
    if (it != project_by_key_hash_.end()) project_id = it->second;
  }
  if (project_id == 0) {
    auto key = store_.FindApiKeyByHash(hash);
    if (!key.ok()) {
      if (key.status().code() == StatusCode::kNotFound) {
        return UnauthenticatedError("invalid API key (x-api-key)");
      }
      return key.status();
    }
    project_id = key->project_id;
    std::lock_guard<std::mutex> lock(mu_);
    project_by_key_hash_[hash] = project_id;
  }
  return CachedGetProject(project_id);
}

StatusOr<std::shared_ptr<const store::Project>> ProjectService::CachedGetProject(
    int64_t project_id) {
  const int64_t now = MonotonicNanos();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = projects_.find(project_id);
    if (it != projects_.end() && now - it->second.fetched_ns < kProjectCacheMillis * 1000000) {
      return it->second.project;
    }
  }
  TL_ASSIGN_OR_RETURN(store::Project fetched, store_.GetProject(project_id));
  auto project = std::make_shared<const store::Project>(std::move(fetched));
  std::lock_guard<std::mutex> lock(mu_);
  projects_[project_id] = CachedProject{project, now};
  return project;
}

StatusOr<store::Project> ProjectService::AuthorizeProject(const std::string& api_key,
                                                          int64_t project_id) {
  TL_ASSIGN_OR_RETURN(store::Project project, Authenticate(api_key));
  if (project.id != project_id) {
    return PermissionDeniedError("this API key belongs to project " + std::to_string(project.id) +
                                 ", not project " + std::to_string(project_id));
  }
  return project;
}

Status ProjectService::SetAllowUnsigned(int64_t project_id, bool allow) {
  TL_RETURN_IF_ERROR(store_.UpdateProjectAllowUnsigned(project_id, allow));
  std::lock_guard<std::mutex> lock(mu_);
  projects_.erase(project_id);
  return OkStatus();
}

}  // namespace tinyloop::service
