/*
 * Differential oracle: the Grid Community Toolkit RSL library (libglobus-rsl).
 * Reads NUL-separated RSL texts from stdin. For each one it writes one NUL-terminated answer:
 *   "OK <unparse>"        the library parsed it (and, with -e, evaluated it)
 *   "ERROR parse"         globus_rsl_parse returned NULL
 *   "ERROR eval"          globus_rsl_eval failed (-e only)
 *   "ERROR unparse"       globus_rsl_unparse returned NULL
 * With -e, evaluation runs with A=1, B=two, HOME=/home/u bound in the outer scope.
 */
#include <globus_common.h>
#include <globus_rsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void answer(const char *s) { fputs(s, stdout); fputc('\0', stdout); }

int main(int argc, char **argv)
{
    int evaluate = argc > 1 && strcmp(argv[1], "-e") == 0;
    globus_module_activate(GLOBUS_COMMON_MODULE);
    globus_module_activate(GLOBUS_RSL_MODULE);

    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int c;
    for (;;) {
        c = getchar();
        if (c == EOF && len == 0) break;
        if (c == EOF || c == '\0') {
            buf[len] = '\0';
            globus_rsl_t *rsl = globus_rsl_parse(buf);
            if (rsl == NULL) {
                answer("ERROR parse");
            } else {
                int ok = 1;
                if (evaluate) {
                    globus_symboltable_t table;
                    globus_symboltable_init(&table, globus_hashtable_string_hash, globus_hashtable_string_keyeq);
                    globus_symboltable_create_scope(&table);
                    globus_symboltable_insert(&table, "A", "1");
                    globus_symboltable_insert(&table, "B", "two");
                    globus_symboltable_insert(&table, "HOME", "/home/u");
                    if (globus_rsl_eval(rsl, &table) != 0) { answer("ERROR eval"); ok = 0; }
                }
                if (ok) {
                    char *text = globus_rsl_unparse(rsl);
                    if (text == NULL) {
                        answer("ERROR unparse");
                    } else {
                        size_t n = strlen(text) + 4;
                        char *line = malloc(n);
                        snprintf(line, n, "OK %s", text);
                        answer(line);
                        free(line);
                        free(text);
                    }
                }
            }
            len = 0;
            if (c == EOF) break;
            continue;
        }
        if (len + 2 >= cap) { cap *= 2; buf = realloc(buf, cap); }
        buf[len++] = (char) c;
    }
    fflush(stdout);
    return 0;
}
