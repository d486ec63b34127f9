// Nothing to compile: the header declares a function libFuzzer (linked by -sanitize=fuzzer) defines.
#include "CLibFuzzer.h"
