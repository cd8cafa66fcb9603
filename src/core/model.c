#include "aim/model.h"

#include <stddef.h>

/* bf16 and fp16 weights serve either 16-bit precision: engines cast on load. */
static bool same_width(enum aim_precision have, enum aim_precision want)
{
    bool have16 = have == AIM_PRECISION_BF16 || have == AIM_PRECISION_FP16;
    bool want16 = want == AIM_PRECISION_BF16 || want == AIM_PRECISION_FP16;

    return have == want || (have16 && want16);
}

const struct aim_checkpoint *aim_model_checkpoint_for(const struct aim_model *model,
                                                      enum aim_precision precision)
{
    if (same_width(model->checkpoint.precision, precision))
        return &model->checkpoint;
    for (int i = 0; i < model->variant_count; i++) {
        if (model->variants[i].precision == precision)
            return &model->variants[i];
    }
    return NULL;
}
