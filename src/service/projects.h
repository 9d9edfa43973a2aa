// Projects and API keys: creating them, and authenticating a request's API key to a project.
// API keys are shown once and stored only as a keyed hash; each project also has an HMAC key
// that devices use to sign samples (Edge Impulse's "development key"). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

struct CreatedProject {
  store::Project project;
  std::string api_key;  // shown once; only its hash is stored
};

struct CreatedApiKey {
  store::ApiKey key;
  std::string api_key;  // shown once
};

// Limits on names, checked by CreateProject/CreateApiKey (InvalidArgument beyond them).
inline constexpr size_t kMaxProjectNameBytes = 100;

class ProjectService {
 public:
  // `store` and `clock` must outlive the service.
  ProjectService(store::MetadataStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Creates a project with a fresh HMAC key and a first API key named "default".
  // InvalidArgument: empty name, over kMaxProjectNameBytes, control characters or invalid
  // UTF-8. AlreadyExists: the name is taken.
  StatusOr<CreatedProject> CreateProject(const std::string& name, const std::string& owner);

  // A new API key for an existing project. NotFound if the project does not exist.
  StatusOr<CreatedApiKey> CreateApiKey(int64_t project_id, const std::string& name);

  // The project an API key belongs to. Unauthenticated when the key is missing or unknown.
  // Key lookups are cached in memory (keys are never deleted in this version), and projects
  // for kProjectCacheMillis, so a change made by another process shows within that time.
  StatusOr<store::Project> Authenticate(const std::string& api_key);
  // Authenticate without copying the project (its sensor schema is a JSON tree): the cached
  // project itself, immutable, kept alive by the pointer. For the per-request path.
  StatusOr<std::shared_ptr<const store::Project>> AuthenticateShared(const std::string& api_key);

  // Authenticate, then require the key to belong to `project_id` (PermissionDenied otherwise).
  StatusOr<store::Project> AuthorizeProject(const std::string& api_key, int64_t project_id);

  StatusOr<store::Project> GetProject(int64_t project_id) { return store_.GetProject(project_id); }
  StatusOr<std::vector<store::Project>> ListProjects() { return store_.ListProjects(); }
  Status SetAllowUnsigned(int64_t project_id, bool allow);

 private:
  store::MetadataStore& store_;
  const Clock& clock_;
  struct CachedProject {
    std::shared_ptr<const store::Project> project;
    int64_t fetched_ns = 0;
  };
  StatusOr<std::shared_ptr<const store::Project>> CachedGetProject(int64_t project_id);

  std::mutex mu_;
  std::unordered_map<std::string, int64_t> project_by_key_hash_;  // guarded by mu_
  std::unordered_map<int64_t, CachedProject> projects_;           // guarded by mu_
};

// How long ProjectService serves a project from memory before reading it again.
inline constexpr int64_t kProjectCacheMillis = 2000;

// Checks a user-supplied name: non-empty, at most `max_bytes`, valid UTF-8, no control
// characters. InvalidArgument naming `field` otherwise.
Status ValidateName(const std::string& field, const std::string& value, size_t max_bytes);

}  // namespace tinyloop::service
