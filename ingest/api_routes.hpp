#pragma once
// The API's routes (SPEC §5), registered on a Router. Each group lives in its own file.

#include "ingest/api_services.hpp"
#include "ingest/router.hpp"

namespace contactd::ingest {

//! GET/PUT/PATCH /v1/contacts/{id}, POST /v1/contacts, POST /v1/contacts/{id}/merge, POST /v1/contacts/search.
void AddContactRoutes(Router& router, ApiServices& services);
//! GET /v1/workspace, /v1/fields, /v1/lead-stages.
void AddWorkspaceRoutes(Router& router, ApiServices& services);
//! /v1/admin/workspaces..., behind the admin token.
void AddAdminRoutes(Router& router, ApiServices& services);
//! POST /v1/batches (streamed), GET /v1/batches/{job}, GET /v1/batches/{job}/results, DELETE /v1/batches/{job}.
void AddBatchRoutes(Router& router, ApiServices& services);
//! GET /healthz, /readyz, /metrics.
void AddHealthRoutes(Router& router, ApiServices& services);

//! Every route above.
Router BuildApiRouter(ApiServices& services);

}  // namespace contactd::ingest
