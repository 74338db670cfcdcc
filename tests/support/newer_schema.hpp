#pragma once
// Makes a database look as if a newer build had migrated it: records one schema version past the newest this
// build knows, and forgets it again when it goes out of scope, so that a shared database is not left ahead of
// the build for the tests after.

#include <string>

namespace contactd::test_support {

class NewerSchema {
  public:
    //! Records version LatestMigrationVersion() + 1 in `database_url`'s schema_migrations.
    explicit NewerSchema(std::string database_url);
    ~NewerSchema();
    NewerSchema(const NewerSchema&) = delete;
    NewerSchema& operator=(const NewerSchema&) = delete;

    //! The version recorded.
    int version() const { return version_; }

  private:
    std::string database_url_;
    int version_;
};

}  // namespace contactd::test_support
