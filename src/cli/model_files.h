/*
 * A model from its own files: a local directory with config.json and the
 * weights' index or safetensors headers, or a snapshot in the local Hugging
 * Face cache. Only headers are read, never the weights.
 */
#ifndef AIM_CLI_MODEL_FILES_H
#define AIM_CLI_MODEL_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "aim/error.h"
#include "aim/model.h"

/* True when arg names a local path: ./x, ../x, /x, or an existing directory. */
bool aim_cli_is_local_path(const char *arg);

/*
 * Fills out from DIR/config.json, then takes the checkpoint size from
 * DIR/model.safetensors.index.json, or else from the headers of every
 * .safetensors file in DIR (whose tensors also give the parameter count,
 * and must fill the rest of each file exactly). id names
 * the model; out->source is set to dir.
 */
enum aim_status aim_cli_load_model_dir(const char *dir, const char *id, struct aim_model *out,
                                       struct aim_error *err);

/*
 * Finds the snapshot directory of a Hugging Face id ("org/name") in the
 * local cache: $HF_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub,
 * ~/.cache/huggingface/hub, first hit wins. Within a model the snapshot
 * named by refs/main is preferred, else the most recently modified one;
 * either must hold a config.json. Writes the path to path_out.
 */
enum aim_status aim_cli_find_hf_cache(const char *hf_id, char *path_out, size_t size,
                                      struct aim_error *err);

#endif
