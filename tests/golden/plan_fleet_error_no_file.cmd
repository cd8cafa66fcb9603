plan
--gpu
MI300X
