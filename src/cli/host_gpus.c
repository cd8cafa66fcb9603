#include "host_gpus.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "message.h"

#define PATH_SIZE 4096
#define PCI_VENDOR_AMD 0x1002u
#define PCI_VENDOR_NVIDIA 0x10deu
#define GIB (1024.0 * 1024.0 * 1024.0)

/* What scanning collects before the GPUs are matched and sorted. */
struct scan {
    const char *root;
    struct aim_detection *out;
    char models[AIM_DETECT_MAX][96]; /* NVIDIA "Model:" lines, by position in out */
};

/* ------------------------------------------------------------- files */

/* ROOT followed by the formatted rest; false when it does not fit. */
__attribute__((format(printf, 3, 4))) static bool path_of(char *out, const char *root,
                                                          const char *format, ...)
{
    va_list args;
    int used = snprintf(out, PATH_SIZE, "%s", root), more;

    if (used < 0 || used >= PATH_SIZE)
        return false;
    va_start(args, format);
    more = vsnprintf(out + used, PATH_SIZE - (size_t)used, format, args);
    va_end(args);
    return more >= 0 && used + more < PATH_SIZE;
}

/* A small sysfs or procfs file, NUL-terminated and cut at size - 1 bytes. */
static bool read_small(const char *path, char *buffer, size_t size)
{
    FILE *file = fopen(path, "r");
    size_t length;

    if (file == NULL)
        return false;
    length = fread(buffer, 1, size - 1, file);
    fclose(file);
    buffer[length] = '\0';
    return true;
}

/* The rest of the line that starts with key, trimmed; "" when absent. */
static void line_value(const char *text, const char *key, char *out, size_t size)
{
    size_t length = strlen(key), used = 0;

    out[0] = '\0';
    for (const char *line = text; line != NULL; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (strncmp(line, key, length) != 0)
            continue;
        line += length;
        line += strspn(line, " \t");
        while (line[used] != '\0' && line[used] != '\n' && used + 1 < size) {
            out[used] = line[used];
            used++;
        }
        while (used > 0 && (out[used - 1] == ' ' || out[used - 1] == '\t' ||
                            out[used - 1] == '\r'))
            used--;
        out[used] = '\0';
        return;
    }
}

/* A "key value" number of a KFD properties file. */
static bool kfd_value(const char *text, const char *key, unsigned long long *value)
{
    char field[64];
    char name[64];

    if (snprintf(name, sizeof name, "%s ", key) >= (int)sizeof name)
        return false;
    line_value(text, name, field, sizeof field);
    return field[0] != '\0' && sscanf(field, "%llu", value) == 1;
}

/* PCI slots are "0000:0c:00.0"; anything else is not used as one. */
static bool set_slot(char *slot, size_t size, const char *text)
{
    size_t length = strlen(text);

    if (length == 0 || length >= size || strspn(text, "0123456789abcdefABCDEF:.") != length)
        return false;
    for (size_t i = 0; i <= length; i++)
        slot[i] = (char)((text[i] >= 'A' && text[i] <= 'F') ? text[i] - 'A' + 'a' : text[i]);
    return true;
}

/* ------------------------------------------------------------ records */

static struct aim_detected_gpu *find_slot(struct aim_detection *detection, const char *slot)
{
    for (int i = 0; i < detection->count; i++) {
        if (slot[0] != '\0' && strcmp(detection->gpus[i].pci_slot, slot) == 0)
            return &detection->gpus[i];
    }
    return NULL;
}

/* The GPU at slot, found or added; NULL when the table is full. */
static struct aim_detected_gpu *add_gpu(struct aim_detection *detection, enum aim_vendor vendor,
                                        unsigned pci_id, const char *slot)
{
    struct aim_detected_gpu *gpu = find_slot(detection, slot);

    if (gpu != NULL)
        return gpu;
    if (detection->count == AIM_DETECT_MAX)
        return NULL;
    gpu = &detection->gpus[detection->count++];
    memset(gpu, 0, sizeof *gpu);
    gpu->vendor = vendor;
    gpu->pci_device_id = pci_id;
    snprintf(gpu->pci_slot, sizeof gpu->pci_slot, "%s", slot);
    gpu->visible = true;
    return gpu;
}

/* ---------------------------------------------------------------- DRM */

/* "card0", not "card0-DP-1" (a connector) nor "renderD128". */
static bool is_card(const char *name)
{
    return strncmp(name, "card", 4) == 0 && name[4] != '\0' &&
           strspn(name + 4, "0123456789") == strlen(name + 4);
}

/* The card's PCI slot: PCI_SLOT_NAME in uevent, else the device link's name. */
static void card_slot(const char *root, const char *card, char *slot, size_t size)
{
    char path[PATH_SIZE], text[1024], value[64], link[PATH_SIZE];
    ssize_t length;

    slot[0] = '\0';
    if (path_of(path, root, "/sys/class/drm/%s/device/uevent", card) &&
        read_small(path, text, sizeof text)) {
        line_value(text, "PCI_SLOT_NAME=", value, sizeof value);
        if (set_slot(slot, size, value))
            return;
    }
    if (!path_of(path, root, "/sys/class/drm/%s/device", card))
        return;
    length = readlink(path, link, sizeof link - 1);
    if (length > 0) {
        link[length] = '\0';
        set_slot(slot, size, strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : link);
    }
}

static bool read_hex(const char *path, unsigned *value)
{
    char text[64];

    return read_small(path, text, sizeof text) && aim_parse_hex_id(text, value);
}

/* One DRM card of AMD or NVIDIA; other vendors (a BMC's VGA) are skipped. */
static void add_card(struct scan *scan, const char *card)
{
    char path[PATH_SIZE], slot[32], text[64];
    unsigned vendor, device;
    struct aim_detected_gpu *gpu;

    if (!path_of(path, scan->root, "/sys/class/drm/%s/device/vendor", card) ||
        !read_hex(path, &vendor) || (vendor != PCI_VENDOR_AMD && vendor != PCI_VENDOR_NVIDIA))
        return;
    if (!path_of(path, scan->root, "/sys/class/drm/%s/device/device", card) ||
        !read_hex(path, &device))
        return;
    card_slot(scan->root, card, slot, sizeof slot);
    gpu = add_gpu(scan->out, vendor == PCI_VENDOR_AMD ? AIM_VENDOR_AMD : AIM_VENDOR_NVIDIA,
                  device, slot);
    if (gpu == NULL || vendor != PCI_VENDOR_AMD)
        return;
    /* amdgpu reports the device's memory in bytes. */
    if (path_of(path, scan->root, "/sys/class/drm/%s/device/mem_info_vram_total", card) &&
        read_small(path, text, sizeof text))
        gpu->memory_gib = strtod(text, NULL) / GIB;
}

static void scan_drm(struct scan *scan)
{
    char path[PATH_SIZE];
    struct dirent **entries = NULL;
    int count;

    if (!path_of(path, scan->root, "/sys/class/drm"))
        return;
    count = scandir(path, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        if (is_card(entries[i]->d_name))
            add_card(scan, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
}

/* ------------------------------------------------------------- NVIDIA */

/* One /proc/driver/nvidia/gpus/<bus>/information file. */
static void add_nvidia(struct scan *scan, const char *entry)
{
    char path[PATH_SIZE], text[4096], value[96], slot[32] = "";
    unsigned device = 0;
    struct aim_detected_gpu *gpu;

    if (!path_of(path, scan->root, "/proc/driver/nvidia/gpus/%s/information", entry) ||
        !read_small(path, text, sizeof text))
        return;
    line_value(text, "Bus Location:", value, sizeof value);
    if (!set_slot(slot, sizeof slot, value))
        set_slot(slot, sizeof slot, entry);
    /* The information file has no PCI id; the PCI device directory does. */
    if (slot[0] != '\0' && path_of(path, scan->root, "/sys/bus/pci/devices/%s/device", slot))
        read_hex(path, &device);
    gpu = add_gpu(scan->out, AIM_VENDOR_NVIDIA, device, slot);
    if (gpu == NULL)
        return;
    if (gpu->pci_device_id == 0)
        gpu->pci_device_id = device;
    line_value(text, "Model:", scan->models[gpu - scan->out->gpus],
               sizeof scan->models[0]);
}

static void scan_nvidia(struct scan *scan)
{
    char path[PATH_SIZE];
    struct dirent **entries = NULL;
    int count;

    if (!path_of(path, scan->root, "/proc/driver/nvidia/gpus"))
        return;
    count = scandir(path, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        if (entries[i]->d_name[0] != '.')
            add_nvidia(scan, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
}

/* ---------------------------------------------------------------- KFD */

/* The largest memory bank of a KFD node, in bytes (0 when none is listed). */
static double kfd_memory(const char *root, const char *node)
{
    char path[PATH_SIZE], text[2048];
    struct dirent **entries = NULL;
    unsigned long long size, largest = 0;
    int count;

    if (!path_of(path, root, "/sys/class/kfd/kfd/topology/nodes/%s/mem_banks", node))
        return 0;
    count = scandir(path, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        if (entries[i]->d_name[0] != '.' &&
            path_of(path, root, "/sys/class/kfd/kfd/topology/nodes/%s/mem_banks/%s/properties",
                    node, entries[i]->d_name) &&
            read_small(path, text, sizeof text) && kfd_value(text, "size_in_bytes", &size) &&
            size > largest)
            largest = size;
        free(entries[i]);
    }
    free(entries);
    return (double)largest;
}

/* location_id packs bus, device and function as the kernel's PCI dev id. */
static void kfd_slot(const char *properties, char *slot, size_t size)
{
    unsigned long long domain = 0, location;

    slot[0] = '\0';
    if (!kfd_value(properties, "location_id", &location) || location == 0)
        return;
    kfd_value(properties, "domain", &domain);
    snprintf(slot, size, "%04llx:%02llx:%02llx.%llx", domain & 0xffff, (location >> 8) & 0xff,
             (location >> 3) & 0x1f, location & 0x7);
}

/* The first AMD GPU with this PCI id that no KFD node claimed yet. */
static struct aim_detected_gpu *unclaimed(struct aim_detection *detection, unsigned pci_id)
{
    for (int i = 0; i < detection->count; i++) {
        struct aim_detected_gpu *gpu = &detection->gpus[i];

        if (gpu->vendor == AIM_VENDOR_AMD && gpu->gfx_target[0] == '\0' &&
            (pci_id == 0 || gpu->pci_device_id == pci_id))
            return gpu;
    }
    return NULL;
}

/*
 * Joins a KFD GPU node to its DRM card, by PCI slot when the node gives
 * one, else by PCI id. A node with no card (DRM hidden) still counts.
 */
static void join_kfd_node(struct scan *scan, const char *node)
{
    char path[PATH_SIZE], text[8192], target[16], slot[32];
    unsigned pci_id = 0;
    struct aim_detected_gpu *gpu;

    if (!path_of(path, scan->root, "/sys/class/kfd/kfd/topology/nodes/%s/properties", node) ||
        !read_small(path, text, sizeof text) ||
        !aim_parse_kfd_properties(text, target, sizeof target, &pci_id))
        return;
    kfd_slot(text, slot, sizeof slot);
    gpu = find_slot(scan->out, slot);
    if (gpu == NULL)
        gpu = unclaimed(scan->out, pci_id);
    if (gpu == NULL)
        gpu = add_gpu(scan->out, AIM_VENDOR_AMD, pci_id, slot);
    if (gpu == NULL)
        return;
    snprintf(gpu->gfx_target, sizeof gpu->gfx_target, "%s", target);
    if (gpu->memory_gib == 0)
        gpu->memory_gib = kfd_memory(scan->root, node) / GIB;
}

static void scan_kfd(struct scan *scan)
{
    char path[PATH_SIZE];
    struct dirent **entries = NULL;
    int count;

    if (!path_of(path, scan->root, "/sys/class/kfd/kfd/topology/nodes"))
        return;
    count = scandir(path, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        if (entries[i]->d_name[0] != '.')
            join_kfd_node(scan, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
}

/* ------------------------------------------------------------ catalog */

/* "NVIDIA A100-SXM4-80GB" names A100: a catalog name standing as a word. */
static const struct aim_gpu *match_by_name(const aim_catalog *catalog, enum aim_vendor vendor,
                                           const char *model)
{
    const struct aim_gpu *best = NULL;

    for (size_t i = 0; i < aim_catalog_gpu_count(catalog); i++) {
        const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, i);
        size_t length = strlen(gpu->name);
        const char *at = strstr(model, gpu->name);

        if (gpu->vendor != vendor || length == 0 || at == NULL)
            continue;
        if ((at == model || at[-1] == ' ' || at[-1] == '-') &&
            (at[length] == '\0' || at[length] == ' ' || at[length] == '-') &&
            (best == NULL || length > strlen(best->name)))
            best = gpu;
    }
    return best;
}

static void match_types(const aim_catalog *catalog, struct scan *scan)
{
    for (int i = 0; i < scan->out->count; i++) {
        struct aim_detected_gpu *gpu = &scan->out->gpus[i];

        if (gpu->pci_device_id != 0)
            gpu->type = aim_catalog_find_gpu_by_pci(catalog, gpu->vendor, gpu->pci_device_id);
        if (gpu->type == NULL && scan->models[i][0] != '\0')
            gpu->type = match_by_name(catalog, gpu->vendor, scan->models[i]);
    }
}

/* ------------------------------------------------------------- order */

/* By PCI slot (unknown slots last), then vendor and id, so the order never
   depends on directory order. */
static int compare_gpus(const void *a, const void *b)
{
    const struct aim_detected_gpu *left = a, *right = b;
    int order;

    if ((left->pci_slot[0] == '\0') != (right->pci_slot[0] == '\0'))
        return left->pci_slot[0] == '\0' ? 1 : -1;
    order = strcmp(left->pci_slot, right->pci_slot);
    if (order != 0)
        return order;
    if (left->vendor != right->vendor)
        return left->vendor < right->vendor ? -1 : 1;
    return left->pci_device_id < right->pci_device_id   ? -1
           : left->pci_device_id > right->pci_device_id ? 1
                                                        : 0;
}

/*
 * Runtimes number devices of their own vendor only. CUDA numbers them
 * fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID; for the identical GPUs
 * of a server node that is PCI order too, which is what is used here.
 */
static void sort_and_number(struct aim_detection *detection)
{
    int next[AIM_VENDOR_COUNT] = {0};

    qsort(detection->gpus, (size_t)detection->count, sizeof detection->gpus[0], compare_gpus);
    for (int i = 0; i < detection->count; i++)
        detection->gpus[i].index = next[detection->gpus[i].vendor]++;
}

/* --------------------------------------------------------- visibility */

/* One *_VISIBLE_DEVICES variable, read once so a bad value warns once. */
struct visible_list {
    bool present; /* set in the environment, valid or not */
    bool valid;
    int count;
    int indices[AIM_DETECT_MAX];
};

static void read_visible(struct visible_list *list, const char *name)
{
    const char *value = getenv(name);

    memset(list, 0, sizeof *list);
    if (value == NULL)
        return;
    list->present = true;
    list->count = aim_parse_visible_devices(value, list->indices, AIM_DETECT_MAX);
    list->valid = list->count >= 0;
    if (!list->valid)
        aim_cli_warning("ignoring %s=%s: not a list of device indices", name, value);
}

/*
 * Keeps visible only the listed GPUs of a vendor, the indices counting the
 * ones still visible. As in the runtimes, an index past the end or repeated
 * ends the list.
 */
static void restrict_visible(struct aim_detection *detection, enum aim_vendor vendor,
                             const struct visible_list *list)
{
    int positions[AIM_DETECT_MAX], candidates = 0;
    bool keep[AIM_DETECT_MAX] = {false};

    if (!list->valid)
        return;
    for (int i = 0; i < detection->count; i++) {
        if (detection->gpus[i].vendor == vendor && detection->gpus[i].visible)
            positions[candidates++] = i;
    }
    for (int j = 0; j < list->count; j++) {
        int index = list->indices[j];

        if (index >= candidates || keep[index])
            break;
        keep[index] = true;
    }
    for (int k = 0; k < candidates; k++)
        detection->gpus[positions[k]].visible = keep[k];
}

/*
 * AMD: ROCr applies ROCR_VISIBLE_DEVICES first, and HIP indexes what it
 * left with HIP_VISIBLE_DEVICES; when that is unset, HIP reads
 * CUDA_VISIBLE_DEVICES instead, so that one then limits AMD GPUs too.
 * NVIDIA: CUDA_VISIBLE_DEVICES alone. A set but invalid HIP value is
 * ignored, not replaced by CUDA's.
 */
static void apply_visibility(struct aim_detection *detection)
{
    struct visible_list rocr, hip, cuda;

    read_visible(&rocr, "ROCR_VISIBLE_DEVICES");
    read_visible(&hip, "HIP_VISIBLE_DEVICES");
    read_visible(&cuda, "CUDA_VISIBLE_DEVICES");
    restrict_visible(detection, AIM_VENDOR_AMD, &rocr);
    restrict_visible(detection, AIM_VENDOR_AMD, hip.present ? &hip : &cuda);
    restrict_visible(detection, AIM_VENDOR_NVIDIA, &cuda);
}

enum aim_status aim_cli_detect_gpus(const aim_catalog *catalog, const char *root,
                                    struct aim_detection *out, struct aim_error *err)
{
    struct scan *scan;

    memset(out, 0, sizeof *out);
    if (root == NULL)
        root = "";
    if (strlen(root) >= PATH_SIZE / 2)
        return aim_error_set(err, AIM_E_USAGE, "--sysfs-root: path too long");
    scan = calloc(1, sizeof *scan);
    if (scan == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory detecting GPUs");
    scan->root = root;
    scan->out = out;

    scan_drm(scan);
    scan_nvidia(scan);
    scan_kfd(scan);
    match_types(catalog, scan);
    sort_and_number(out);
    apply_visibility(out);
    free(scan);
    return AIM_OK;
}
