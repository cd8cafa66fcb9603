/*
 * Shared pieces of the aimctl subcommands: output formats, the options of
 * the planning commands, and the steps every planning command takes
 * (catalog, model, GPUs, selection).
 */
#ifndef AIM_CLI_H
#define AIM_CLI_H

#include <stdbool.h>

#include "aim/catalog.h"
#include "aim/placement.h"
#include "aim/render.h"
#include "aim/select.h"
#include "inventory_files.h"

enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_JSON, CLI_FORMAT_YAML };

/* Which planning command parses options: each accepts its own extras. */
enum cli_plan_kind { CLI_PLAN_SELECT, CLI_PLAN_COMMAND, CLI_PLAN_RENDER };

struct cli_plan_options {
    const char *model;
    const char *gpu;              /* --gpu */
    int gpus;                     /* --gpus; 0: the node's size or detection */
    int node_count;               /* --node-count: nodes of --gpus each */
    const char *precision;
    const char *backend;
    long max_model_len;
    const char *objective;
    int concurrency;
    const char *catalog_dir;
    const char *sysfs_root;       /* "" for the real host */
    enum cli_format format;
    bool docker;                  /* command --docker */
    int port;
    struct aim_render_options render; /* render's options */
    struct aim_cli_inventory_source inventory; /* --nodes, --pods, --kubeconfig... */
    bool allow_multi_node;
    const char *render_format;    /* render -o: yaml, json or helm-values */
};

/* Everything a planning command built; released by cli_session_free. */
struct cli_session {
    aim_catalog *catalog;
    struct aim_model local_model; /* when the model came from files */
    struct aim_request request;
    struct aim_plan plan;
    aim_inventory *inventory;     /* when planning against a cluster */
    struct aim_placement *placement;
};

/* A flag's whole number from 1 to max; prints the usage error and returns
   its exit code otherwise. */
int cli_parse_whole(const char *command, const char *flag, const char *text, long max,
                    long *out);

/* Parses "text", "json" or "yaml". */
bool cli_parse_format(const char *text, enum cli_format *out);

/* Loads the embedded catalog and the --catalog folder. */
int cli_open_catalog(const char *catalog_dir, aim_catalog **out);

/*
 * Runs the planning steps for select, explain and command. Returns an exit
 * code: 0 with a plan, 3 when nothing fits (the plan still holds the
 * trace), other codes after printing an error.
 */
int cli_plan(const char *command, struct cli_plan_options *options,
             struct cli_session *session);
void cli_session_free(struct cli_session *session);

/*
 * Parses the options of a planning command. Returns -1 after printing help
 * (exit 0), 0 to go on, or an exit code.
 */
int cli_parse_plan_options(const char *command, const char *usage, enum cli_plan_kind kind,
                           int argc, char **argv, struct cli_plan_options *options);

/* Prints the plan, or its trace when nothing fits. */
int cli_print_plan(const struct cli_session *session, enum cli_format format, bool explain);

/* Reports "nothing fits" when code says so, frees the session's catalog. */
int cli_finish_plan(int code, struct cli_session *session);

/* Prints a jansson value as JSON or YAML on stdout; returns an exit code. */
int cli_print_json(void *json_value, enum cli_format format);

int cli_select(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_command(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_gpus(int argc, char **argv);
int cli_recipes(int argc, char **argv);
int cli_detect(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_inventory(int argc, char **argv);
int cli_fleet_plan(int argc, char **argv);

#endif
