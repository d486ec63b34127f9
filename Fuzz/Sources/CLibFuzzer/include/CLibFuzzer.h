// libFuzzer's entry point for programs that have their own main (compiler-rt FuzzerInterface.h).
#ifndef CROFT_CLIBFUZZER_H
#define CROFT_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer exactly as its own main would, with `argv`'s options, calling `test` for each input.
int LLVMFuzzerRunDriver(int *_Nonnull argc, char *_Nullable *_Nonnull *_Nonnull argv,
                        int (*_Nonnull test)(const uint8_t *_Nonnull data, size_t size));

#endif
