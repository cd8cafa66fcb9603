select
org/name
--gpu
MI355X
--gpus
1
