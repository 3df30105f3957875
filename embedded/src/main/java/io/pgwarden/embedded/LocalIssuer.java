package io.pgwarden.embedded;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The token issuer of the local run and the tests: an RSA key pair kept in a directory (made on first use, reused
 * after, so tokens written earlier stay valid until they expire) and RS256-signed JWTs with a subject and a
 * {@code groups} claim naming the roles, as the gateway's SmallRye JWT expects (the MicroProfile JWT claims: iss,
 * sub, upn, groups, iat, exp). In a cluster an identity provider issues them instead.
 */
public final class LocalIssuer {
    /** The {@code iss} of every token this issuer signs. */
    public static final String ISSUER = "https://pgwarden.local/issuer";
    static final String PRIVATE_KEY = "jwt-signing-key.pem";
    static final String PUBLIC_KEY = "jwt-public-key.pem";

    private final PrivateKey privateKey;
    private final Path publicKeyFile;

    private LocalIssuer(PrivateKey privateKey, Path publicKeyFile) {
        this.privateKey = privateKey;
        this.publicKeyFile = publicKeyFile;
    }

    /** The issuer whose keys are in dir, made there (private key readable by the owner only) when absent. */
    public static LocalIssuer in(Path dir) {
        Path privateFile = dir.resolve(PRIVATE_KEY);
        Path publicFile = dir.resolve(PUBLIC_KEY);
        try {
            if (!Files.isRegularFile(privateFile) || !Files.isRegularFile(publicFile)) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, PRIVATE_KEY, ".tmp");
                setOwnerOnly(tmp);
                Files.writeString(tmp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                Files.move(tmp, privateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            PrivateKey key = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(privateFile))));
            return new LocalIssuer(key, publicFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the local token issuer's keys in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the local token issuer's key in " + privateFile
                    + " cannot be read; delete it and its public key to make new ones", e);
        }
    }

    /** The public key as PEM, for the gateway's {@code mp.jwt.verify.publickey.location}. */
    public Path publicKeyFile() {
        return publicKeyFile;
    }

    /** The public key, e.g. to check that a token was signed here. */
    public PublicKey publicKey() {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                    unpem(Files.readString(publicKeyFile))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token for subject with the given roles, valid from now for lifetime. */
    public String token(String subject, List<String> roles, Duration lifetime) {
        return sign(claims(subject, roles, Instant.now(), lifetime));
    }

    /** The claims {@link #token} signs, to change one first (a test's expired or foreign token). */
    public static JwtClaims claims(String subject, List<String> roles, Instant issuedAt, Duration lifetime) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setStringListClaim("groups", roles);
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(issuedAt.plus(lifetime).getEpochSecond()));
        claims.setGeneratedJwtId();
        return claims;
    }

    /** Signs claims with this issuer's key (RS256). */
    public String sign(JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(privateKey);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", ""));
    }
}
