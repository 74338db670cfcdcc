# Generates iso_codes_data.cpp from the Debian iso-codes JSON: sorted ISO 3166-1 alpha-2 country codes
# and ISO 639-1 (alpha-2) language codes. Runs at build time (cmake -P).
function(collect_codes json_file array_key out_var)
    file(READ ${json_file} json)
    string(JSON count LENGTH "${json}" "${array_key}")
    math(EXPR last "${count} - 1")
    set(codes "")
    foreach(i RANGE ${last})
        string(JSON code ERROR_VARIABLE missing GET "${json}" "${array_key}" ${i} alpha_2)
        if(NOT missing)
            list(APPEND codes "${code}")
        endif()
    endforeach()
    list(REMOVE_DUPLICATES codes)
    list(SORT codes)
    set(${out_var} "${codes}" PARENT_SCOPE)
endfunction()

collect_codes(${ISO_DIR}/iso_3166-1.json "3166-1" countries)
collect_codes(${ISO_DIR}/iso_639-2.json "639-2" languages)

function(emit_table name codes out_var)
    set(text "extern const std::string_view ${name}[] = {")
    foreach(code IN LISTS codes)
        string(APPEND text "\"${code}\",")
    endforeach()
    string(APPEND text "};\n")
    list(LENGTH codes n)
    string(APPEND text "extern const std::size_t ${name}Size = ${n};\n")
    set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

emit_table(kCountryCodes "${countries}" country_text)
emit_table(kLanguageCodes "${languages}" language_text)
file(WRITE ${OUT}.tmp "// Generated from /usr/share/iso-codes/json by cmake/generate_iso_codes.cmake. Do not edit.
#include <cstddef>
#include <string_view>

namespace contactd::engine::iso_data {
${country_text}${language_text}}  // namespace contactd::engine::iso_data
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
