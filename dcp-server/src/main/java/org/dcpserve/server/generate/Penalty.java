package org.dcpserve.server.generate;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A presence or frequency penalty: OpenAI's range, [-2, 2], in both wire formats. */
@Constraint(validatedBy = {})
@ReportAsSingleViolation
@DecimalMin("-2.0")
@DecimalMax("2.0")
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE, ElementType.CONSTRUCTOR,
        ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Penalty {

    String message() default "must be in [-2, 2]";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
