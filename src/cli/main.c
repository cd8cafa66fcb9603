/* aimctl: picks, explains and prints serving recipes for LLMs on GPUs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "message.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"select", cli_select, "choose the serving recipe for a model"},
    {"explain", cli_explain, "the same plan for people: candidates, memory, reasons"},
    {"command", cli_command, "print the engine command line or a docker run line"},
    {"render", cli_render, "print the Kubernetes objects or Helm values of the plan"},
    {"models", cli_models, "list the catalog's models"},
    {"gpus", cli_gpus, "list the catalog's GPU types"},
    {"recipes", cli_recipes, "list authored recipes, or check recipe files"},
    {"detect", cli_detect, "list the GPUs of this host"},
    {"inventory", cli_inventory, "list a cluster's nodes, GPUs and what is free"},
    {"plan", cli_fleet_plan, "place a fleet of deployments on a cluster"},
    {"validate", cli_validate, "check Kubernetes manifests that serve a model"},
};

static void usage(FILE *out)
{
    fputs("Usage: aimctl COMMAND [OPTIONS]\n\n"
          "Selects how to serve a large language model on the GPUs at hand.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'aimctl COMMAND --help' for a command's options.\n"
          "Exit status: 0 a plan, 2 usage error, 3 nothing fits, 4 bad input,\n"
          "5 internal error.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return aim_cli_usage_error(NULL, "a command is required");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("aimctl 0.1.0");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    return aim_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
