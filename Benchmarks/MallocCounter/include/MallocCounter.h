/* Counts heap allocations when preloaded (LD_PRELOAD=libtgmalloccount.so): a benchmark tool, not
   part of the library. Read the count with dlsym(RTLD_DEFAULT, "tg_malloc_count"). */
long tg_malloc_count(void);
