// glibc's malloc extensions (malloc_trim) for Platform's HeapTrim; glibc itself is linked anyway.
#include <malloc.h>
