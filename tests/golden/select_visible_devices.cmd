env:HIP_VISIBLE_DEVICES=0,1
select
meta-llama/Llama-3.1-70B-Instruct
--sysfs-root
../data/sysfs/mi300x-8
