// The dashboard page served at "/": a single self-contained HTML page that asks for an API
// key and shows the project's data report ("are we getting the right data?").
#pragma once

#include "api/http.h"

namespace tinyloop::api {

HttpResponse DashboardPage();

}  // namespace tinyloop::api
