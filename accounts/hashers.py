from django.contrib.auth.hashers import Argon2PasswordHasher


class NewsroomArgon2PasswordHasher(Argon2PasswordHasher):
    """
    Argon2id with OWASP's smaller memory setting (19 MiB, 2 passes, 1 lane)
    rather than Django's 100 MiB over 8 lanes: a burst of logins must not take
    every core and the memory of the web server from readers. Hashes made
    with other parameters are rehashed at the next login.
    https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
