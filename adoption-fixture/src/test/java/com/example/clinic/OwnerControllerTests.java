package com.example.clinic;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.ficus.toolkit.cache.Caches;

import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** A slice with no database and no change stream: the caches pass every read through. */
@WebMvcTest(OwnerController.class)
@Import(OwnerDirectory.class)
class OwnerControllerTests {

    @TestConfiguration
    static class NoCaching {

        @Bean
        Caches caches() {
            return Caches.passThrough();
        }
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    OwnerRepository owners;

    @Test
    void showsTheOwnerAndAnUnknownOneIsNotFound() throws Exception {
        Owner owner = mock(Owner.class);
        given(owner.getName()).willReturn("Jean Coleman");
        given(owners.findWithPets(7L)).willReturn(Optional.of(owner));
        given(owners.countVisitsByPet(7L)).willReturn(List.of());

        mvc.perform(get("/owners/7")).andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("Jean Coleman")));
        mvc.perform(get("/owners/8")).andExpect(status().isNotFound());
    }
}
