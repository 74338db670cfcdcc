// placeholder until the HTTP layer lands
namespace contactd::ingest {}
