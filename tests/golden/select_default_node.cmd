select
Qwen/Qwen3-32B
--sysfs-root
../data/sysfs/empty
