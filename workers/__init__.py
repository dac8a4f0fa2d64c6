from workers.health import prepare_multiprocess

prepare_multiprocess()  # before anything imports prometheus_client (see workers.health)
