package io.pgwarden.gateway;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request written byte by byte, for what HTTP clients refuse or rewrite: an empty header
 * value, or a header value in UTF-8.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** The response's status code and whole text. */
    record Answer(int status, String text) {
    }

    /** POSTs an empty JSON body with one extra header line, given as bytes. */
    static Answer post(String path, byte[] headerLine) {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n"
                    + "Authorization: " + SignedIn.bearer(SignedIn.ADMIN_SUBJECT, Roles.ADMIN) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(headerLine);
            out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            String text = response.toString(StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(text.substring(9, 12)), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
