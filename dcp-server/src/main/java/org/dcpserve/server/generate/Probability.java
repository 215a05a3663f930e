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

/** A probability mass to sample within (top_p, typical_p): (0, 1], since nothing is left to sample from at 0. */
@Constraint(validatedBy = {})
@ReportAsSingleViolation
@DecimalMin(value = "0.0", inclusive = false)
@DecimalMax("1.0")
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE, ElementType.CONSTRUCTOR,
        ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Probability {

    String message() default "must be in (0, 1]";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
