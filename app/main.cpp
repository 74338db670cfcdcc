// contactd: entry point. Subcommands are added as they land.
#include <cstdio>

int main() {
    std::puts("contactd");
    return 0;
}
