gpus
-o
json
