/*
 * trivial.c: the ceiling of make bench. A FastCGI responder that answers
 * every request with the same small JSON and does nothing else, so that
 * lighttpd + mod_fastcgi + libfcgi + wrk on this machine are all it
 * measures. Same accept/finish loop as lib/api/serve.c's app_main.
 */
#include <stdio.h>

#include <fcgiapp.h>

static const char answer[] = "Status: 200 OK\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: 15\r\n"
			     "\r\n"
			     "{\"detail\":\"ok\"}";

int
main(void)
{
	FCGX_Request rq;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0) {
		fprintf(stderr, "FastCGI initialisation failed\n");
		return 1;
	}
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, rq.out);
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	return 0;
}
